import Foundation

extension OAuthServer {
    /// One successful token exchange (RFC 8693) at `/token`: who exchanged what for what. A snapshot; see
    /// `OAuthServer.tokenExchanges` and `OAuthServer.tokenExchange(issuing:)`.
    public struct TokenExchange: Sendable, Hashable, Identifiable {
        /// The `grant_type` of a token exchange.
        public static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
        /// The token type URN of an OAuth access token (RFC 8693 §3).
        public static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"
        /// The token type URN of an OAuth refresh token.
        public static let refreshTokenType = "urn:ietf:params:oauth:token-type:refresh_token"
        /// The token type URN of a JWT (RFC 7519).
        public static let jwtTokenType = "urn:ietf:params:oauth:token-type:jwt"

        /// The exchange's id (opaque).
        public let id: String
        /// The client that exchanged (the new tokens belong to it).
        public let clientID: String
        /// The user the subject token stood for; the new tokens stand for the same one.
        public let subject: String
        /// The `subject_token` presented.
        public let subjectToken: String
        /// The `subject_token_type` presented.
        public let subjectTokenType: String
        /// The client the subject token was issued to, or nil for a token a test registered with
        /// `OAuthServer.registerSubjectToken(_:subject:scope:)`.
        public let subjectClientID: String?
        /// The `requested_token_type` sent, or nil.
        public let requestedTokenType: String?
        /// Every `audience` sent, in order.
        public let audiences: [String]
        /// Every `resource` sent, in order.
        public let resources: [String]
        /// The scope issued (the requested one, or the subject token's when none was asked for).
        public let scope: String
        /// The access token issued.
        public let accessToken: String
        /// The refresh token issued, or nil (`exchangeIssuesRefreshToken` off).
        public let refreshToken: String?
        /// The grant the refresh token belongs to (subject, client and scope as above), or nil without one.
        public let grantID: Grant.ID?
        /// When it happened (server clock).
        public let exchangedAt: Date
    }

    /// An access token the server issued, as it knows it. A snapshot; see `OAuthServer.issuedAccessToken(_:)`.
    public struct IssuedAccessToken: Sendable, Hashable {
        /// The token.
        public let token: String
        /// The client it was issued to.
        public let clientID: String
        /// The user it stands for (the client itself for `client_credentials`).
        public let subject: String
        /// Its scope.
        public let scope: String
        /// The `audience` values it was issued for (`client_credentials` and token exchange; a refresh of an
        /// exchanged grant keeps them), in order; empty when none were asked for.
        public let audiences: [String]
        /// The grant it belongs to, or nil (`client_credentials`, or an exchange without a refresh token).
        public let grantID: Grant.ID?
        /// When it was issued (server clock).
        public let issuedAt: Date
        /// When it expires (server clock).
        public let expiresAt: Date
        /// Whether it was revoked by itself at `/revoke` (a revoked grant or expiry does not set
        /// this; `OAuthServer.isActive(accessToken:)` tells whether it still works).
        public let isRevoked: Bool
    }
}
