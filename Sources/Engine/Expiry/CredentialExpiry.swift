import FoundationEssentials

/// When a credential's long-lived part (its refresh token, its Vault token) stops working, and how Credmon knows.
public struct CredentialExpiry: Sendable, Equatable {
    /// Where the date comes from, as `status --json` names it (`credentialExpirySource`).
    public enum Source: String, Sendable, CaseIterable {
        /// The token answer's `refresh_expires_in` (Keycloak), counted from the answer or from the `.top`'s writing.
        case refreshExpiresIn = "refresh_expires_in"
        /// The refresh token's own `exp` claim, when it is a JWT (INDIGO IAM).
        case refreshTokenClaim = "refresh_token_exp"
        /// The fragment's (or the preset's) `refresh_token_lifetime`, counted from the last login or rotation (the
        /// `.top`'s writing).
        case configuredLifetime = "refresh_token_lifetime"
        /// A Vault token's TTL (`auth/token/lookup-self`).
        case vaultTokenTTL = "vault_token_ttl"
        /// Nothing long-lived expires: a local issuer, a client-credentials service, a provider whose refresh tokens
        /// do not expire (Dropbox).
        case never
    }

    /// The date; nil with ``Source/never``.
    public var expiresAt: Date?
    public var source: Source

    public init(expiresAt: Date?, source: Source) {
        self.expiresAt = source == .never ? nil : expiresAt
        self.source = source
    }

    /// A credential that does not expire.
    public static let never = CredentialExpiry(expiresAt: nil, source: .never)
}

/// What a provider kind knows about the life of its long-lived credentials.
public enum CredentialLifetime: Sendable, Equatable {
    /// Nothing is known and nothing is estimated.
    case unknown
    /// Nothing long-lived expires (``CredentialExpiry/never``).
    case never
    /// A refresh token in the `.top`: its expiry is estimated from the token answer and the seed
    /// (``RefreshTokenExpiry``); `maximum` is the provider's documented or configured lifetime (`refresh_token_lifetime`),
    /// counted from the `.top`'s writing.
    case refreshToken(maximum: TimeInterval?)
    /// The provider reports it in ``CredentialUpdate/seedExpiry`` (a Vault token's TTL).
    case reportedByProvider

    /// Whether a `.top` is worth reading to estimate the expiry.
    public var estimatesFromSeed: Bool {
        if case .refreshToken = self { return true }
        return false
    }

    /// The expiry a `.top` (`seed`, nil when unread) modified at `modified` tells, for credentials of this lifetime
    /// (nil: unknown until the provider says, or at all).
    public func expiry(ofSeed seed: [UInt8]?, modified: Date) -> CredentialExpiry? {
        switch self {
        case .never: return .never
        case .unknown, .reportedByProvider: return nil
        case .refreshToken(let maximum):
            guard let seed, case .json(let object) = SeedFile.parse(seed) else {
                return RefreshTokenExpiry.configured(maximum, issuedAt: modified)
            }
            return RefreshTokenExpiry.estimate(from: object, issuedAt: modified, maximum: maximum)
        }
    }
}
