import Foundation

extension OAuthServer {
    /// One authorization: a user (subject) let a client have a scope. Refresh and access tokens belong to it;
    /// revoking it kills them all. A snapshot; read a fresh one from the server after each step.
    public struct Grant: Sendable, Hashable, Identifiable {
        /// Why a grant was revoked.
        public enum RevocationReason: String, Sendable, Hashable {
            /// Its refresh token was revoked at `/revoke`.
            case revocationRequest
            /// A retired refresh token was presented again (`reuseKillsGrant`).
            case refreshTokenReuse
            /// The authorization code it came from was presented a second time.
            case authorizationCodeReuse
            /// A test called `OAuthServer.revokeGrant(_:)`.
            case testControl
        }

        /// The grant's id (opaque).
        public let id: String
        /// The client it was given to.
        public let clientID: String
        /// The user (`sub`).
        public let subject: String
        /// The granted scope (space-separated).
        public let scope: String
        /// Every parameter of the authorization request that led to it (`response_type`, `client_id`,
        /// `redirect_uri`, `scope`, `state`, `code_challenge`, … and extras such as `access_type=offline`,
        /// `prompt=consent`, `token_access_type=offline`, `resource`, `nonce`); empty for seeded grants and those a
        /// token exchange made (see `OAuthServer.tokenExchange(issuing:)`).
        public let authorizationParameters: [String: String]
        /// When it was made (server clock, see `OAuthServer.advanceClock(by:)`).
        public let createdAt: Date
        /// The refresh token a client should hold now (the newest one), or nil once revoked.
        public internal(set) var currentRefreshToken: String?
        /// Every refresh token issued for it, oldest first.
        public internal(set) var refreshTokens: [String]
        /// Every access token issued for it, oldest first.
        public internal(set) var accessTokens: [String]
        /// How many successful refreshes it has seen.
        public internal(set) var refreshCount: Int
        /// Why it was revoked, or nil while it is live.
        public internal(set) var revocationReason: RevocationReason?

        /// Whether it was revoked.
        public var isRevoked: Bool { revocationReason != nil }
    }
}
