import Foundation

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
    /// When the seed's own credential expires, where the provider said (a Vault token).
    public var seedExpiresAt: Date?

    public init(id: CredentialID) { self.id = id }
}
