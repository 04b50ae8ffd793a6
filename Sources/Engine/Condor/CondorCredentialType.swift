/// The credential types condor_credd knows (its `CredSorter`, contract §C.0.3): which credmon role serves a
/// service name.
public enum CondorCredentialType: String, Sendable, Equatable, CaseIterable {
    /// Local issuer (`LOCAL_CREDMON`): credd writes `.top`, the credmon signs `.use`.
    case localIssuer = "local issuer"
    /// OAuth2 client credentials (`CLIENT_CREDMON`).
    case localClient = "local client"
    /// OAuth2 web login: the web app writes `.top`/`.use`/`.meta`, the credmon refreshes.
    case oauth2 = "OAuth2"
    /// Vault (htgettoken / condor_credential_storer).
    case vault = "Vault"
    /// Pelican.
    case pelican = "Pelican"
    /// credd does not know the service: it refuses requests for it.
    case unknown = "unknown"
}
