import Engine
import OAuthClient

/// `kind: client-credentials`: access tokens from an OAuth 2.0 server's client-credentials grant (RFC 6749 §4.4),
/// one per user and service, as HTCondor's ClientCredmon (`CLIENT_CREDMON_*`) intends (contract §C.3) and, as
/// shipped, never manages (§F.1-7): `scope` (not `scopes`), a form-encoded body, the fallback lifetime applied.
public enum ClientCredentialsKind: ProviderKind {
    public static let kind = "client-credentials"
    /// The site's client secret is the only long-lived part, and no user logs in for it.
    public static var credentialLifetime: CredentialLifetime { .never }
    public static let summary = "tokens from an OAuth 2.0 client-credentials grant, one per user (HTCondor's CLIENT_CREDMON)"
    public static var credentialType: CondorCredentialType { .localClient }
    public static var servesUnrecognisedServices: Bool { true }

    public static func knobFragment(service: String, knobs: CondorKnobs) -> KnobFragment? {
        ClientCredentialsKnobs.fragment(service: service, knobs: knobs)
    }

    public static func makeProvider(name: String, fragment: inout FragmentReader,
                                    context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        var configuration = ClientCredentialsConfiguration.read(name: name, fragment: &fragment)
        if context.readsClientSecrets, let file = configuration?.clientSecretFile {
            configuration?.clientSecret = SecretFile.read(file, for: &fragment)
        }
        let errors = fragment.finish()
        guard errors.isEmpty, let configuration else { throw ConfigurationErrors(errors) }
        return ClientCredentialsProvider(configuration: configuration, http: context.http ?? UnavailableHTTPClient())
    }
}
