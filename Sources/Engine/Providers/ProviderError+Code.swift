extension ProviderError {
    /// A failure's code, as status, metrics and the web app's pages show it. The set is closed: a server's own RFC 6749
    /// code is carried as ``server(_:)``; everything Credmon says itself is a case of its own.
    public enum Code: Sendable, Hashable, CustomStringConvertible {
        /// An RFC 6749 §5.2 error code the server sent (`invalid_grant`, `slow_down`, …).
        case server(String)
        /// An HTTP status without an OAuth error body (`http_503`).
        case httpStatus(Int)
        /// No answer: the connection failed or timed out.
        case network
        /// A 200 answer that is not a usable token response.
        case malformedResponse
        /// A token answer whose access token cannot become a `.use` (renewal).
        case unusableToken
        /// A web login's token answer that cannot become a `.use`.
        case unusableTokenAnswer
        /// The provider returned a token that has already expired.
        case tokenAlreadyExpired
        /// `.top` holds no refresh token.
        case noRefreshToken
        /// `.meta` says `use_refresh_token: false`.
        case refreshDisabled
        /// Neither the fragment nor `.meta` names a client.
        case noClient
        /// No token endpoint that may be used with the client.
        case noTokenURL
        /// The client secret file cannot be read.
        case clientSecretUnreadable
        /// A local key could not sign.
        case signingFailed
        /// A local issuer's group map file cannot be read.
        case groupMapfileUnreadable
        /// The provider only publishes (credmon-web's local issuers).
        case webOnly
        /// The seed's own credential was refused: expired or revoked (Vault's `permission denied`).
        case seedRejected
        /// The `.top` is not a seed of this kind (e.g. no `vault_url`), or lacks what it needs.
        case unusableSeed
        /// An endpoint the configuration does not allow (scheme, port, path, host).
        case untrustedEndpoint

        /// The stable text (`invalid_grant`, `http_503`, `network`, …).
        public var description: String {
            switch self {
            case .server(let code): code
            case .httpStatus(let status): "http_\(status)"
            case .network: "network"
            case .malformedResponse: "malformed_response"
            case .unusableToken: "unusable_token"
            case .unusableTokenAnswer: "unusable_token_answer"
            case .tokenAlreadyExpired: "token_already_expired"
            case .noRefreshToken: "no_refresh_token"
            case .refreshDisabled: "refresh_disabled"
            case .noClient: "no_client"
            case .noTokenURL: "no_token_url"
            case .clientSecretUnreadable: "client_secret_unreadable"
            case .signingFailed: "signing_failed"
            case .groupMapfileUnreadable: "group_mapfile_unreadable"
            case .webOnly: "web_only"
            case .seedRejected: "seed_rejected"
            case .unusableSeed: "unusable_seed"
            case .untrustedEndpoint: "untrusted_endpoint"
            }
        }

        /// Whether the provider (its server or the network) is down, rather than refusing: a 5xx or no answer.
        public var isOutage: Bool {
            switch self {
            case .network: true
            case .httpStatus(let status): status >= 500
            default: false
            }
        }
    }
}
