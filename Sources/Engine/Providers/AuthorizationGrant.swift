import FoundationEssentials

/// The authorization grant of a web login (RFC 6749 §4.1.3 with PKCE, RFC 7636), as credmon-web hands it to the
/// provider's ``CredentialProvider/fetch(_:)``. The values come from condor_credd's key file where it has them
/// (its knobs win), else from the service's fragment. Never logged: it holds the client secret.
public struct AuthorizationGrant: Sendable {
    public var code: String
    public var redirectURI: String
    public var codeVerifier: String
    public var tokenURL: URL
    public var clientID: String
    public var clientSecret: String?
    /// condor_credd's `Scopes` and `Audience` for the `.top`, exactly as it wrote them (empty when unset).
    public var seedScopes: String
    public var seedAudience: String
    /// Where to ask who logged in; nil to take the name from the token answer only.
    public var userinfoURL: URL?

    public init(code: String, redirectURI: String, codeVerifier: String, tokenURL: URL, clientID: String, clientSecret: String?,
                seedScopes: String = "", seedAudience: String = "", userinfoURL: URL? = nil) {
        self.code = code
        self.redirectURI = redirectURI
        self.codeVerifier = codeVerifier
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.seedScopes = seedScopes
        self.seedAudience = seedAudience
        self.userinfoURL = userinfoURL
    }
}

/// What a web login's token answer says beyond the files: the account's display name and the ID token's `nonce`.
public struct LoginOutcome: Sendable, Equatable {
    /// A name to show for the account (user-info, else the answer's `sub`/`name`); nil when none.
    public var displayName: String?
    /// The ID token's `nonce` claim, for the web app to compare with the one it sent; nil without an ID token.
    public var idTokenNonce: String?
    /// Whether the answer carried a refresh token.
    public var hasRefreshToken: Bool

    public init(displayName: String?, idTokenNonce: String?, hasRefreshToken: Bool) {
        self.displayName = displayName
        self.idTokenNonce = idTokenNonce
        self.hasRefreshToken = hasRefreshToken
    }
}

extension AuthorizationGrant: CustomStringConvertible {
    /// Names the client and the endpoint only: the code, the verifier and the secret never reach a log.
    public var description: String {
        "AuthorizationGrant(client_id: \(clientID), token_url: \(tokenURL.absoluteString), code: <redacted>, client_secret: <redacted>)"
    }
}
