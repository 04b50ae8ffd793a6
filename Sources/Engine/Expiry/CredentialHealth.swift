import FoundationEssentials

/// Where a credential's long-lived part stands, as `status` (`credentialState`), the notification command
/// (`CREDMON_STATE`) and the metrics name it.
public enum CredentialHealth: String, Sendable, CaseIterable, Codable {
    /// Not expiring within the largest warning threshold (or its expiry is unknown, or it never expires).
    case ok
    /// Expires within a warning threshold.
    case expiring
    /// Its expiry has passed.
    case expired
    /// The provider refused it for good (a terminal `invalid_grant`, a Vault token refused before its expiry).
    case revoked
}

/// A credential's health at one moment, with the warning threshold it is within.
public struct HealthAssessment: Sendable, Equatable {
    public var health: CredentialHealth
    /// With ``CredentialHealth/expiring``: the smallest threshold (seconds) the remaining life is within.
    public var threshold: TimeInterval?

    public init(_ health: CredentialHealth, threshold: TimeInterval? = nil) {
        self.health = health
        self.threshold = threshold
    }

    /// The health of a credential that expires at `expiresAt` (nil: unknown or never) and that its provider may have
    /// `refused`, at `now`, with warning `thresholds` (seconds before the expiry).
    public static func assess(expiresAt: Date?, refused: Bool, thresholds: [TimeInterval], now: Date) -> HealthAssessment {
        if let expiresAt, expiresAt <= now { return HealthAssessment(.expired) }
        if refused { return HealthAssessment(.revoked) }
        guard let expiresAt else { return HealthAssessment(.ok) }
        let remaining = expiresAt.timeIntervalSince(now)
        guard let threshold = thresholds.filter({ remaining <= $0 }).min() else { return HealthAssessment(.ok) }
        return HealthAssessment(.expiring, threshold: threshold)
    }
}
