extension OAuthServer {
    /// How a client authenticates at the token, revocation and introspection endpoints.
    public enum AuthMethod: String, Sendable, Hashable, CaseIterable {
        /// `client_secret_post`: `client_id` and `client_secret` in the form body.
        case post = "client_secret_post"
        /// `client_secret_basic`: `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
        case basic = "client_secret_basic"
    }

    /// How the id and secret inside `Authorization: Basic` are read.
    public enum BasicCredentialEncoding: Sendable, Hashable {
        /// As RFC 6749 §2.3.1 says: each is form-urlencoded before joining with `:` (`+` is a space, `%XX` a
        /// byte). A client that sends them raw fails whenever they contain `+`, `%`, `:` or non-ASCII.
        case formURLEncoded
        /// Raw, as many real servers read them: split at the first `:`, nothing decoded.
        case raw
        /// Accept either reading (the decoded one is tried first).
        case either
    }

    /// A registered client.
    public struct Client: Sendable, Hashable {
        /// The `client_id`.
        public var id: String
        /// The `client_secret`.
        public var secret: String
        /// The authentication methods it may use (both by default).
        public var authMethods: Set<AuthMethod>
        /// The redirect URIs registered for the authorization code flow (compared exactly).
        public var redirectURIs: [String]
        /// The scopes it may ask for at `/authorize` or with `client_credentials`; nil: any.
        public var allowedScopes: Set<String>?

        /// A client.
        public init(id: String, secret: String, authMethods: Set<AuthMethod> = [.post, .basic],
                    redirectURIs: [String] = [OAuthServer.Client.defaultRedirectURI], allowedScopes: Set<String>? = nil) {
            self.id = id
            self.secret = secret
            self.authMethods = authMethods
            self.redirectURIs = redirectURIs
            self.allowedScopes = allowedScopes
        }

        /// The redirect URI registered for the default client.
        public static let defaultRedirectURI = "http://127.0.0.1/oauth/callback"

        /// The client registered when the configuration names none: `credmon-test` / `credmon-test-secret`,
        /// both methods, `defaultRedirectURI`.
        public static let `default` = Client(id: "credmon-test", secret: "credmon-test-secret")
    }

    /// How the server behaves. Every field has a default; change what the test is about.
    public struct Configuration: Sendable {
        /// The registered clients (`[Client.default]` by default).
        public var clients: [Client]
        /// Issue a new refresh token on every refresh (and retire the presented one).
        public var rotateRefreshTokens: Bool
        /// Presenting a retired (already rotated) refresh token is `invalid_grant` *and* revokes the whole grant:
        /// its current refresh token and its access tokens (Box-like reuse detection). Ignored in grace mode.
        public var reuseKillsGrant: Bool
        /// Retired refresh tokens stay usable (OneDrive-like): rotation still hands out new tokens, but every
        /// earlier refresh token of a live grant keeps working until it expires or the grant is revoked.
        public var oldRefreshTokenGrace: Bool
        /// With rotation, a refresh token stays valid until its successor is first used (then presenting it is
        /// reuse): a client that lost an answer in flight can present its token again, a client that used the new
        /// token and then forgot it cannot (Okta's and Auth0's rotation with a reuse window work this way). Default:
        /// off (Box: single use, the token dies with the answer).
        public var retireOnSuccessorUse: Bool
        /// Access token lifetime in seconds (`expires_in`).
        public var accessTokenLifetime: Int
        /// Refresh token lifetime in seconds from its issue; nil: they never expire.
        public var refreshTokenLifetime: Int?
        /// Token answers that carry a refresh token also carry `refresh_expires_in` (Keycloak): the seconds that refresh
        /// token has left (rounded). Only when it expires (`refreshTokenLifetime`). Default: off.
        public var includeRefreshExpiresIn: Bool = false
        /// What refresh tokens look like: opaque strings (the default) or JWTs whose `exp` tells their expiry (INDIGO
        /// IAM), see ``RefreshTokenFormat``.
        public var refreshTokenFormat: RefreshTokenFormat = .opaque
        /// Without rotation, leave `refresh_token` out of refresh responses (the client must keep the old one).
        /// With rotation the new token is always sent.
        public var omitRefreshTokenInRefreshResponse: Bool
        /// Added before answering every request (faults included), as network and server delay.
        public var latency: Duration
        /// How `Authorization: Basic` credentials are decoded (RFC 6749's form-urlencoding by default).
        public var basicCredentialEncoding: BasicCredentialEncoding
        /// Authorization code lifetime in seconds.
        public var authorizationCodeLifetime: Int
        /// The `nonce` put in ID tokens instead of the one the authorization request sent (a forged or mixed-up
        /// answer); nil: the request's own.
        public var idTokenNonceOverride: String? = nil
        /// Where the redirect rows of hostile-server mode send the client (by default a port on another loopback
        /// address that nothing listens on).
        public var hostileRedirectLocation: String = "http://127.0.0.2:9/token"
        /// How long the stalling rows of hostile-server mode stall at most (the server's stop ends them sooner).
        public var hostileStall: Duration = .seconds(60)
        /// The audiences (`audience` of a token exchange or a `client_credentials` request) tokens may be issued
        /// for; any other is `invalid_target` (RFC 8693 §2.2.2). nil: any audience.
        public var allowedAudiences: Set<String>?
        /// A token exchange (RFC 8693) answers with a `refresh_token` too, of a new grant with the exchanged
        /// subject, client and scope (refreshed like any other). Off: an access token only, and a
        /// `requested_token_type` of `urn:ietf:params:oauth:token-type:refresh_token` is `invalid_request`.
        public var exchangeIssuesRefreshToken: Bool
        /// `client_credentials` answers leave out `expires_in` (as some Django OAuth Toolkit-style servers do).
        public var clientCredentialsOmitsExpiresIn: Bool
        /// The metadata lists `urn:ietf:params:oauth:grant-type:token-exchange` in `grant_types_supported`. The
        /// token endpoint accepts the grant either way. Default: on.
        public var advertiseTokenExchange: Bool

        /// A configuration; every argument has the default described on its property.
        public init(clients: [Client] = [.default],
                    rotateRefreshTokens: Bool = true,
                    reuseKillsGrant: Bool = true,
                    oldRefreshTokenGrace: Bool = false,
                    retireOnSuccessorUse: Bool = false,
                    accessTokenLifetime: Int = 3600,
                    refreshTokenLifetime: Int? = nil,
                    omitRefreshTokenInRefreshResponse: Bool = false,
                    latency: Duration = .zero,
                    basicCredentialEncoding: BasicCredentialEncoding = .formURLEncoded,
                    authorizationCodeLifetime: Int = 60,
                    allowedAudiences: Set<String>? = nil,
                    exchangeIssuesRefreshToken: Bool = true,
                    clientCredentialsOmitsExpiresIn: Bool = false,
                    advertiseTokenExchange: Bool = true) {
            self.clients = clients
            self.rotateRefreshTokens = rotateRefreshTokens
            self.reuseKillsGrant = reuseKillsGrant
            self.oldRefreshTokenGrace = oldRefreshTokenGrace
            self.retireOnSuccessorUse = retireOnSuccessorUse
            self.accessTokenLifetime = accessTokenLifetime
            self.refreshTokenLifetime = refreshTokenLifetime
            self.omitRefreshTokenInRefreshResponse = omitRefreshTokenInRefreshResponse
            self.latency = latency
            self.basicCredentialEncoding = basicCredentialEncoding
            self.authorizationCodeLifetime = authorizationCodeLifetime
            self.allowedAudiences = allowedAudiences
            self.exchangeIssuesRefreshToken = exchangeIssuesRefreshToken
            self.clientCredentialsOmitsExpiresIn = clientCredentialsOmitsExpiresIn
            self.advertiseTokenExchange = advertiseTokenExchange
        }
    }
}
