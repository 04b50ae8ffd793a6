import Foundation

extension OAuthServer {
    /// The form of the refresh tokens a server issues (``Configuration/refreshTokenFormat``).
    public enum RefreshTokenFormat: Sendable, Hashable {
        /// An opaque random string (`rt-…`).
        case opaque
        /// A JWT signed HS256 with a key of this process (clients cannot verify it, and need not): payload `sub`, `aud`
        /// (the grant's client), `iat`, `exp` (the issue plus ``Configuration/refreshTokenLifetime``; left out when
        /// refresh tokens do not expire) and a random `jti`, so a client can read its expiry from the token itself.
        case jwt
    }

    /// When `refreshToken` (one this server issued, rotated ones too) expires; nil for an unknown token or when refresh
    /// tokens do not expire. The server clock's date (see ``advanceClock(by:)``).
    public func refreshTokenExpiry(_ refreshToken: String) -> Date? {
        store.withLock { $0.refreshTokenExpiry(refreshToken) }
    }

    /// `refresh_expires_in` for an answer handing out `refreshToken`: its seconds left, rounded, when the configuration
    /// asks for it (``Configuration/includeRefreshExpiresIn``) and the token expires; else nil.
    func refreshExpiresIn(_ refreshToken: String) -> Int? {
        guard configuration.includeRefreshExpiresIn else { return nil }
        return store.withLock { store in
            store.refreshTokenExpiry(refreshToken).map { max(0, Int($0.timeIntervalSince(store.now).rounded())) }
        }
    }
}

extension TokenStore {
    /// The key JWT refresh tokens are signed with (HS256), one per process.
    static let refreshTokenKey = randomBytes(32)

    /// A refresh token of `grantID` in JWT form (``OAuthServer/RefreshTokenFormat/jwt``).
    func jwtRefreshToken(grantID: String, issuedAt: Date, expiresAt: Date?) -> String {
        let grant = grants[grantID]
        var claims: [String: any Sendable] = [
            "sub": grant?.subject ?? "", "aud": grant?.clientID ?? "", "iat": Int(issuedAt.timeIntervalSince1970.rounded()),
            "jti": base64URL(randomBytes(16)),
        ]
        if let expiresAt { claims["exp"] = Int(expiresAt.timeIntervalSince1970.rounded()) }
        let header = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = base64URL(Array((try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])) ?? Data()))
        let signature = SHA256.hmac(key: TokenStore.refreshTokenKey, message: Array((header + "." + payload).utf8))
        return header + "." + payload + "." + base64URL(signature)
    }
}
