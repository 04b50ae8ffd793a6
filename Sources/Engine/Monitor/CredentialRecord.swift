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

    public var id: CredentialID
    public var provider: String?
    public var state: State = .pending
    /// The `.top` as last seen.
    public var seedStamp: FileStamp?
    /// The `.use` as last written or seen.
    public var accessStamp: FileStamp?
    public var validity: TokenValidity?
    public var dueAt: Date?
    public var lastRenewal: Date?
    /// When the provider was last asked (success or not): the renewal floor counts from here.
    public var lastAttempt: Date?
    public var consecutiveFailures = 0
    /// What went wrong last, short and printable (``CredentialRecord/errorLimit`` characters at most).
    public var lastError: String? {
        get { storedError }
        set { storedError = newValue.map { SafeText.printable($0, limit: Self.errorLimit) } }
    }
    private var storedError: String?
    /// The longest last error kept (and shown in `status.json`).
    public static let errorLimit = 300
    public var fingerprint: String?
    /// The `.top` whose copy is in the revocation vault.
    public var vaultStamp: FileStamp?
    /// When the long-lived credential (refresh token, Vault token) expires, and how that is known; nil: unknown.
    public var expiry: CredentialExpiry?
    /// The `.top` modification time (``FileStamp/modified``) ``expiry`` was estimated for: a different `.top` is
    /// estimated anew.
    public var expiryEstimatedForSeed: Int64?
    /// Whether the provider refused the long-lived credential for good (a terminal `invalid_grant`, a Vault token
    /// refused): ``CredentialHealth/revoked`` until its seed changes or a renewal succeeds.
    public var refusedByProvider = false
    /// The health last assessed (``HealthAssessment``); nil before the first assessment.
    public var health: HealthAssessment?
    /// The last state notified (nil: nothing, or `ok`), persisted with the expiry (``ExpiryStore``).
    public var notified: HealthAssessment?

    /// When the seed's own credential expires (kept under its old name for `status.json`'s `seedExpiresAt`).
    public var seedExpiresAt: Date? { expiry?.expiresAt }

    public init(id: CredentialID) { self.id = id }
}
