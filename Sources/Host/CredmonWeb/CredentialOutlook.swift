import Engine
import Foundation

/// What the index page says of a service whose `.top` is stored: until when its long-lived credential lasts and,
/// when it is expiring or worse, what to do (the daemon's notification says the same, ``LoginHint``). Estimated
/// from the `.top` as the daemon estimates it (``CredentialLifetime/expiry(ofSeed:modified:)``); read without
/// following a symlink, at most 1 MiB.
struct CredentialOutlook: Sendable, Equatable {
    /// Nil when unknown or never.
    var expiresAt: Date?
    var neverExpires: Bool
    var health: CredentialHealth
    /// With ``CredentialHealth/expiring`` or worse.
    var hint: String?

    /// The outlook of `<user>/<stem>.top`, nil when it is absent, unreadable, or its provider's credentials have no
    /// known lifetime.
    static func of(_ id: CredentialID, entry: ProviderTable.Entry?, credentialDirectory: String,
                   defaultWarnings: [TimeInterval], now: Date) -> CredentialOutlook? {
        guard let entry, entry.expiry.lifetime != .unknown,
              let directory = try? DirectoryHandle.open(path: credentialDirectory + "/" + id.user),
              let contents = try? SafeFile.read(id.token.stem + ".top", in: directory) else { return nil }
        let modified = Date(timeIntervalSince1970: contents.status.modified.epochSeconds)
        guard let expiry = entry.expiry.lifetime.expiry(ofSeed: contents.bytes, modified: modified) else { return nil }
        let assessment = HealthAssessment.assess(expiresAt: expiry.expiresAt, refused: false,
                                                 thresholds: entry.expiry.warnings ?? defaultWarnings, now: now)
        let hint = assessment.health == .ok ? nil : LoginHint.text(for: id, health: assessment.health, lifetime: entry.expiry.lifetime)
        return CredentialOutlook(expiresAt: expiry.expiresAt, neverExpires: expiry.source == .never, health: assessment.health, hint: hint)
    }

    /// The warning thresholds of `CREDMON_EXPIRY_WARNINGS`, else the default.
    static func defaultWarnings(_ knobs: CondorKnobs?) -> [TimeInterval] {
        guard let text = knobs?[CondorKnobs.expiryWarningsKnob], case .success(let thresholds) = ExpiryPolicy.parseWarnings(text) else {
            return ExpiryPolicy.defaultWarnings
        }
        return thresholds
    }
}
