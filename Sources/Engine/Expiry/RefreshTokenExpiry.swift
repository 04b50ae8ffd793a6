import FoundationEssentials

/// Estimates when a refresh token expires, from a token answer or from the `.top` that keeps it.
///
/// In order of trust: the refresh token's own `exp` when it is a JWT; `refresh_expires_in` (Keycloak; 0 means an
/// offline token that does not expire by time, and is passed over); the provider's `maximum` lifetime. Relative
/// values count from `issuedAt`: the answer's time, or the `.top`'s modification time (credmon-web and the monitor
/// write it on every login and rotation). Every number from outside is checked (``ExternalTime``); a value out of range
/// is passed over, never trusted.
public enum RefreshTokenExpiry {
    /// The expiry told by `object` (a token answer or a `.top`), or nil when it tells nothing.
    public static func estimate(from object: [String: JSONValue], issuedAt: Date, maximum: TimeInterval?) -> CredentialExpiry? {
        if let token = object["refresh_token"]?.stringValue, let claims = try? JWTClaims.peek(token), let exp = claims.expiration {
            return CredentialExpiry(expiresAt: exp, source: .refreshTokenClaim)
        }
        if let lifetime = refreshExpiresIn(object) {
            return CredentialExpiry(expiresAt: issuedAt.addingTimeInterval(lifetime), source: .refreshExpiresIn)
        }
        return configured(maximum, issuedAt: issuedAt)
    }

    /// `refresh_expires_in` when it is a positive, plausible duration.
    public static func refreshExpiresIn(_ object: [String: JSONValue]) -> TimeInterval? {
        guard let value = object["refresh_expires_in"], let seconds = try? ExternalTime.duration(value, field: "refresh_expires_in"),
              seconds > 0 else { return nil }
        return seconds
    }

    /// The configured lifetime from `issuedAt`; a lifetime of 0 means the refresh token does not expire.
    public static func configured(_ maximum: TimeInterval?, issuedAt: Date) -> CredentialExpiry? {
        guard let maximum else { return nil }
        if maximum <= 0 { return .never }
        return CredentialExpiry(expiresAt: issuedAt.addingTimeInterval(maximum), source: .configuredLifetime)
    }
}
