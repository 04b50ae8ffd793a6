import FoundationEssentials

/// When an access token was issued and when it expires.
public struct TokenValidity: Sendable, Equatable {
    public var issuedAt: Date
    public var expiresAt: Date

    public init(issuedAt: Date, expiresAt: Date) {
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }

    public var lifetime: TimeInterval { expiresAt.timeIntervalSince(issuedAt) }

    /// The moment `fraction` of the lifetime has passed.
    public func point(atFraction fraction: Double) -> Date {
        issuedAt.addingTimeInterval(max(0, lifetime) * fraction)
    }
}
