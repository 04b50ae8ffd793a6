import Engine
import FoundationEssentials

/// The capability of a provider users log in to through credmon-web (a kind whose ``WebRole`` is
/// ``WebRole/oauthLogin(_:)``): what its fragment says about the login. The code exchange itself goes through
/// ``CredentialProvider/fetch(_:)`` with an ``AuthorizationGrant``.
public protocol WebLoginProvider: CredentialProvider {
    var loginSettings: WebLoginFragment { get }
}

/// A fragment's login settings; nil where the fragment (and its preset) leave a value out, for the key file or the
/// issuer's discovery document to supply.
public struct WebLoginFragment: Sendable {
    public var issuer: String?
    public var authorizationURL: URL?
    public var tokenURL: URL?
    public var userinfoURL: URL?
    public var clientID: String?
    /// Nil in credmon-web, which never reads client secret files.
    public var clientSecret: String?
    public var clientAuthentication: ClientAuthentication
    public var scopes: [String]
    public var quirks: LoginQuirks

    public init(issuer: String?, authorizationURL: URL?, tokenURL: URL?, userinfoURL: URL?, clientID: String?, clientSecret: String?,
                clientAuthentication: ClientAuthentication, scopes: [String], quirks: LoginQuirks) {
        self.issuer = issuer
        self.authorizationURL = authorizationURL
        self.tokenURL = tokenURL
        self.userinfoURL = userinfoURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientAuthentication = clientAuthentication
        self.scopes = scopes
        self.quirks = quirks
    }
}
