import FoundationEssentials

/// What the monitor knows about one credential.
public struct CredentialRecord: Sendable {
    /// Where a credential stands.
    public enum State: String, Sendable, Codable {
        /// Seen, not yet handled.
        case pending
        /// The access token is fresh.
        case valid
        /// The last attempt failed with a transient error; retrying with backoff.
        case failing
        /// The provider said retrying cannot help; waiting for the seed to change.
        case terminal
        /// The credential asks not to be renewed (e.g. `use_refresh_token: false`); left as it is until its seed changes.
        case dormant
        /// No configured provider handles this service.
        case unowned
        /// The provider refuses this credential (e.g. a handle on a local issuer).
        case refused
        /// The seed was dead at its source (a Vault token expired or was revoked): its `.top` and `.use` were removed,
        /// and the user's next submission stores a new one. Kept in status until a new `.top` appears.
        case discarded
    }

    // Stored in an order that packs (Swift lays fields out as declared): a monitor keeps one record per credential,
    // so a record is compact (``CredentialRecordLayoutTests``: at most 300 bytes). Dates are kept as their seconds
    // (NaN: none) and the fields that are set only after a failure, a revocation copy or a notification live in a
    // shared box that exists only while one of them is set.
    public var id: CredentialID
    public var provider: String?
    public var fingerprint: String?
    /// The `.top` as last seen.
    public var seedStamp: FileStamp?
    public var state: State = .pending
    /// `.use` writes of the monitor's own whose inotify event has not come yet (``Monitor/countOwnAccessWrite(_:)``):
    /// kept here, in the padding after `state`, rather than in a table beside the records (0.46 MB at the peak of a
    /// first pass over 10,000 users, whose events come after its writes).
    var ownAccessWrites: UInt8 = 0
    /// The `.use` as last written or seen.
    public var accessStamp: FileStamp?
    public var validity: TokenValidity?
    /// When the long-lived credential (refresh token, Vault token) expires, and how that is known; nil: unknown.
    public var expiry: CredentialExpiry?
    /// The health last assessed (``HealthAssessment``); nil before the first assessment.
    public var health: HealthAssessment?
    private var dueSeconds = Double.nan
    private var renewalSeconds = Double.nan
    private var attemptSeconds = Double.nan
    private var estimatedSeedModified = Int64.min
    private var rare: RareFields?

    public var dueAt: Date? {
        get { Self.date(dueSeconds) }
        set { dueSeconds = Self.seconds(newValue) }
    }
    public var lastRenewal: Date? {
        get { Self.date(renewalSeconds) }
        set { renewalSeconds = Self.seconds(newValue) }
    }
    /// When the provider was last asked (success or not): the renewal floor counts from here.
    public var lastAttempt: Date? {
        get { Self.date(attemptSeconds) }
        set { attemptSeconds = Self.seconds(newValue) }
    }
    /// The `.top` modification time (``FileStamp/modified``) ``expiry`` was estimated for: a different `.top` is
    /// estimated anew.
    public var expiryEstimatedForSeed: Int64? {
        get { estimatedSeedModified == Int64.min ? nil : estimatedSeedModified }
        set { estimatedSeedModified = newValue ?? Int64.min }
    }
    public var consecutiveFailures: Int {
        get { rare?.consecutiveFailures ?? 0 }
        set { updateRare(unlessDefault: newValue == 0) { $0.consecutiveFailures = newValue } }
    }
    /// What went wrong last, short and printable (``CredentialRecord/errorLimit`` characters at most).
    public var lastError: String? {
        get { rare?.lastError }
        set { updateRare(unlessDefault: newValue == nil) { $0.lastError = newValue.map { SafeText.printable($0, limit: Self.errorLimit) } } }
    }
    /// The longest last error kept (and shown in `status.json`).
    public static let errorLimit = 300
    /// The `.top` whose copy is in the revocation vault.
    public var vaultStamp: FileStamp? {
        get { rare?.vaultStamp }
        set { updateRare(unlessDefault: newValue == nil) { $0.vaultStamp = newValue } }
    }
    /// Whether the provider refused the long-lived credential for good (a terminal `invalid_grant`, a Vault token
    /// refused): ``CredentialHealth/revoked`` until its seed changes or a renewal succeeds.
    public var refusedByProvider: Bool {
        get { rare?.refusedByProvider ?? false }
        set { updateRare(unlessDefault: !newValue) { $0.refusedByProvider = newValue } }
    }
    /// The `.meta` its last request read, kept while the credential is terminal or dormant: a new one is looked at,
    /// as a new `.top` is.
    public var metadataStamp: FileStamp? {
        get { rare?.metadataStamp }
        set { updateRare(unlessDefault: newValue == nil) { $0.metadataStamp = newValue } }
    }
    /// The last state notified (nil: nothing, or `ok`), persisted with the expiry (``ExpiryStore``).
    public var notified: HealthAssessment? {
        get { rare?.notified }
        set { updateRare(unlessDefault: newValue == nil) { $0.notified = newValue } }
    }

    /// When the seed's own credential expires (kept under its old name for `status.json`'s `seedExpiresAt`).
    public var seedExpiresAt: Date? { expiry?.expiresAt }

    private static func date(_ seconds: Double) -> Date? { seconds.isNaN ? nil : Date(timeIntervalSinceReferenceDate: seconds) }
    private static func seconds(_ date: Date?) -> Double { date?.timeIntervalSinceReferenceDate ?? .nan }

    /// Changes the box (copied first if another record shares it); a default value with no box makes none, and a
    /// box back to all defaults is dropped.
    private mutating func updateRare(unlessDefault isDefault: Bool, _ change: (RareFields) -> Void) {
        if rare == nil {
            if isDefault { return }
            rare = RareFields()
        } else if !isKnownUniquelyReferenced(&rare) {
            rare = rare?.copy()
        }
        guard let box = rare else { return }
        change(box)
        if box.isDefault { rare = nil }
    }

    public init(id: CredentialID) { self.id = id }
}

/// The fields of a ``CredentialRecord`` that most records never set; copied on write, as the record is a value.
private final class RareFields: @unchecked Sendable {
    var consecutiveFailures = 0
    var lastError: String?
    var vaultStamp: FileStamp?
    var refusedByProvider = false
    var notified: HealthAssessment?
    var metadataStamp: FileStamp?

    var isDefault: Bool {
        consecutiveFailures == 0 && lastError == nil && vaultStamp == nil && !refusedByProvider && notified == nil
            && metadataStamp == nil
    }

    func copy() -> RareFields {
        let copy = RareFields()
        copy.consecutiveFailures = consecutiveFailures
        copy.lastError = lastError
        copy.vaultStamp = vaultStamp
        copy.refusedByProvider = refusedByProvider
        copy.notified = notified
        copy.metadataStamp = metadataStamp
        return copy
    }
}
