import FoundationEssentials

/// What the monitor does with one credential, decided from what it knows (the record), what is on disk (the file
/// states), the provider and the time. Pure: no I/O, no clock, no logging (the only randomness is the backoff's
/// jitter). `Monitor+Process.swift` gathers the inputs and carries the steps out; the tests call it directly.
///
/// A credential is decided in up to three steps: ``triage(_:seed:provider:daemonUser:)`` from its `.top` alone;
/// ``plan(_:seed:access:provider:now:rules:)`` with its `.use`, when triage says it is worth a look; and, when the plan
/// is to ask the provider, ``settle(_:outcome:provider:now:firstIssue:rules:)`` with the answer.
enum CredentialDecision {
    /// The `.top` as found on disk (a regular file).
    struct Seed: Sendable, Equatable {
        var stamp: FileStamp
        /// Its owner's uid.
        var owner: UInt32
        /// Its modification time.
        var modified: Date
        /// The `.meta` beside it, looked at only for a terminal or dormant credential (nil: absent or not looked at).
        var metadataStamp: FileStamp? = nil
    }

    /// The `.use` as found on disk.
    struct Access: Sendable, Equatable {
        /// Whether a regular `.use` is there (readable or not): then the provider refreshes, else it fetches.
        var present: Bool
        /// Its stamp, when present.
        var stamp: FileStamp?
        /// Its validity, read from it or known from the record; nil when absent, unreadable or without an expiry.
        var validity: TokenValidity?
        /// Its modification time, when present.
        var modified: Date?

        init(present: Bool, stamp: FileStamp?, validity: TokenValidity?, modified: Date? = nil) {
            self.present = present
            self.stamp = stamp
            self.validity = validity
            self.modified = modified
        }

        /// No `.use`.
        static let absent = Access(present: false, stamp: nil, validity: nil)
    }

    /// The monitor's settings a decision depends on.
    struct Rules: Sendable {
        /// The least time between two requests for one credential.
        var renewalFloor: TimeInterval = 1
        /// How long a new `.top` of a web-login kind waits for its `.use` (``ProviderTraits/firstTokenFromWebLogin``).
        var webLoginWait: TimeInterval = 1
        /// Retry schedule for transient failures.
        var backoff = Backoff()
        /// When a token of unknown lifetime is looked at again.
        var unknownLifetimeRecheck: TimeInterval = 60
    }

    /// What to do next.
    enum Action: Sendable, Equatable {
        /// Nothing: the record stays as it was.
        case nothing
        /// Look at the `.use` and ``plan(_:seed:access:provider:now:rules:)`` (triage only).
        case examine
        /// Store the record (and schedule it, see ``Step/scheduleAt``).
        case record
        /// Ask the provider: `fetch` the first token (no `.use`) or `refresh`.
        case renew(fetch: Bool)
    }

    /// What is worth a log line (the effects write it).
    enum Note: Sendable, Equatable {
        case noProvider
        case refusedHandle
        case refusedOwner(uid: UInt32)
        case awaitingWebLogin(until: Date)
        case issued(expires: Date?, recovered: Bool)
        case renewed(expires: Date?, recovered: Bool)
        case dormant(reason: String)
        case terminal(error: String)
        case discarded(error: String)
        case failing(error: String, retryIn: TimeInterval)
        case failingAgain(error: String, failures: Int)
    }

    /// A renewal or a failure, for the pass's figures.
    enum Tally: Sendable, Equatable { case renewed, failed }

    /// One step's result: the record to keep, and what to do with it.
    struct Step: Sendable {
        var record: CredentialRecord
        var action: Action
        /// When to look at the credential again (``Action/record`` only).
        var scheduleAt: Date?
        /// Whether the revocation vault's copy of the seed must be brought up to date.
        var keepsCopy = false
        var tally: Tally?
        var note: Note?

        init(_ record: CredentialRecord, _ action: Action, scheduleAt: Date? = nil, keepsCopy: Bool = false,
             tally: Tally? = nil, note: Note? = nil) {
            self.record = record
            self.action = action
            self.scheduleAt = scheduleAt
            self.keepsCopy = keepsCopy
            self.tally = tally
            self.note = note
        }
    }

    /// Step 1, from the `.top` alone: whether a provider serves the credential and accepts it, and whether anything
    /// can have changed for a credential that waits for its `.top` (or its `.meta`) to change.
    static func triage(_ record: CredentialRecord, seed: Seed, provider: (any CredentialProvider)?,
                       daemonUser: UInt32) -> Step {
        var record = record
        guard let provider else {
            let note: Note? = record.state != .unowned ? .noProvider : nil
            record.state = .unowned
            record.provider = nil
            record.seedStamp = seed.stamp
            return Step(record, .record, note: note)
        }
        let profile = provider.profile
        record.provider = profile.name
        let refusedBefore = record.state == .refused && record.seedStamp == seed.stamp
        if record.id.token.handle != nil && !profile.traits.allowsHandles {
            record.state = .refused
            record.seedStamp = seed.stamp
            record.lastError = "handles are not supported by \(profile.kind) providers"
            return Step(record, .record, note: refusedBefore ? nil : .refusedHandle)
        }
        if profile.traits.requiresPrivilegedSeed, seed.owner != 0, seed.owner != daemonUser {
            record.state = .refused
            record.seedStamp = seed.stamp
            record.validity = nil
            record.lastError = "\(record.id.token.stem).top is owned by uid \(seed.owner); \(profile.kind) mints only for a .top owned by root or uid \(daemonUser)"
            return Step(record, .record, note: refusedBefore ? nil : .refusedOwner(uid: seed.owner))
        }
        if record.state == .terminal || record.state == .dormant, record.seedStamp == seed.stamp,
           record.metadataStamp == seed.metadataStamp, record.fingerprint == profile.fingerprint {
            return Step(record, .nothing)
        }
        return Step(record, .examine)
    }
}
