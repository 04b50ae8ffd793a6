import Foundation
import Testing
@testable import Engine

/// The monitor's decision, called directly: no files, no inotify, no clock, no sleeps.
@Suite("The credential decision")
struct CredentialDecisionTests {
    /// A provider for decisions: only its profile and renewal point are used.
    struct Provider: CredentialProvider {
        let profile: ProviderProfile
        init(kind: String = "test", allowsHandles: Bool = true, requiresPrivilegedSeed: Bool = false, webLogin: Bool = false,
             newerSeed: Bool = false, fingerprint: String = "f1") {
            profile = ProviderProfile(name: "svc", kind: kind, traits: ProviderTraits(
                allowsHandles: allowsHandles, readsSeed: true, renewFraction: 0.5, revokesOnRemoval: false,
                requiresPrivilegedSeed: requiresPrivilegedSeed, firstTokenFromWebLogin: webLogin, renewsWhenSeedIsNewer: newerSeed),
                settings: [], fingerprint: fingerprint)
        }
        func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate { throw ProviderError.terminal(.server("unused"), "") }
        func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate { throw ProviderError.terminal(.server("unused"), "") }
        func revoke(_ request: RevocationRequest) async throws {}
    }

    typealias Decision = CredentialDecision
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let rules = Decision.Rules(renewalFloor: 1, webLoginWait: 1, backoff: Backoff(initial: 5, maximum: 60, jitter: 0),
                                      unknownLifetimeRecheck: 60)
    static func stamp(_ inode: UInt64) -> FileStamp { FileStamp(inode: inode, size: 10, modified: 1, changed: 1) }
    static func seed(_ inode: UInt64 = 1, owner: UInt32 = 0, age: TimeInterval = 3600, metadata: FileStamp? = nil) -> Decision.Seed {
        Decision.Seed(stamp: stamp(inode), owner: owner, modified: now.addingTimeInterval(-age), metadataStamp: metadata)
    }
    static func record(_ stem: String = "svc", _ configure: (inout CredentialRecord) -> Void = { _ in }) -> CredentialRecord {
        var record = CredentialRecord(id: CredentialID(user: "alice", token: TokenName(stem: stem)!))
        configure(&record)
        return record
    }
    static func access(expiresIn: TimeInterval, issuedAgo: TimeInterval = 0, inode: UInt64 = 2, writtenAgo: TimeInterval? = nil) -> Decision.Access {
        Decision.Access(present: true, stamp: stamp(inode),
                        validity: TokenValidity(issuedAt: now.addingTimeInterval(-issuedAgo), expiresAt: now.addingTimeInterval(expiresIn)),
                        modified: now.addingTimeInterval(-(writtenAgo ?? issuedAgo)))
    }

    // MARK: Triage

    struct TriageCase: CustomTestStringConvertible, Sendable {
        var name: String
        var record: CredentialRecord
        var seed: Decision.Seed
        var provider: Provider?
        var action: Decision.Action
        var state: CredentialRecord.State?
        var note: Decision.Note?
        var testDescription: String { name }
    }

    static let triageCases: [TriageCase] = [
        TriageCase(name: "no provider: unowned, said once", record: record(), seed: seed(), provider: nil,
                   action: .record, state: .unowned, note: .noProvider),
        TriageCase(name: "still no provider: unowned, quietly", record: record { $0.state = .unowned }, seed: seed(), provider: nil,
                   action: .record, state: .unowned, note: nil),
        TriageCase(name: "a handle where handles are refused", record: record("svc_work"), seed: seed(),
                   provider: Provider(allowsHandles: false), action: .record, state: .refused, note: .refusedHandle),
        TriageCase(name: "refused before, same .top: quietly", record: record("svc_work") { $0.state = .refused; $0.seedStamp = stamp(1) },
                   seed: seed(), provider: Provider(allowsHandles: false), action: .record, state: .refused, note: nil),
        TriageCase(name: "a .top a local issuer must not trust", record: record(), seed: seed(owner: 4242),
                   provider: Provider(requiresPrivilegedSeed: true), action: .record, state: .refused, note: .refusedOwner(uid: 4242)),
        TriageCase(name: "a root-owned .top for a local issuer", record: record(), seed: seed(owner: 0),
                   provider: Provider(requiresPrivilegedSeed: true), action: .examine, state: .pending, note: nil),
        TriageCase(name: "terminal, same .top, same provider: nothing", record: record { $0.state = .terminal; $0.seedStamp = stamp(1); $0.fingerprint = "f1" },
                   seed: seed(), provider: Provider(), action: .nothing, state: .terminal, note: nil),
        TriageCase(name: "terminal, new .top: look", record: record { $0.state = .terminal; $0.seedStamp = stamp(9); $0.fingerprint = "f1" },
                   seed: seed(), provider: Provider(), action: .examine, state: .terminal, note: nil),
        TriageCase(name: "dormant, provider changed: look", record: record { $0.state = .dormant; $0.seedStamp = stamp(1); $0.fingerprint = "f0" },
                   seed: seed(), provider: Provider(), action: .examine, state: .dormant, note: nil),
        TriageCase(name: "dormant, same .top and .meta: nothing",
                   record: record { $0.state = .dormant; $0.seedStamp = stamp(1); $0.metadataStamp = stamp(3); $0.fingerprint = "f1" },
                   seed: seed(metadata: stamp(3)), provider: Provider(), action: .nothing, state: .dormant, note: nil),
        TriageCase(name: "dormant, same .top, new .meta: look",
                   record: record { $0.state = .dormant; $0.seedStamp = stamp(1); $0.metadataStamp = stamp(3); $0.fingerprint = "f1" },
                   seed: seed(metadata: stamp(4)), provider: Provider(), action: .examine, state: .dormant, note: nil),
        TriageCase(name: "terminal without a .meta, one appears: look",
                   record: record { $0.state = .terminal; $0.seedStamp = stamp(1); $0.fingerprint = "f1" },
                   seed: seed(metadata: stamp(4)), provider: Provider(), action: .examine, state: .terminal, note: nil),
    ]

    @Test("Triage from the .top alone", arguments: triageCases)
    func triage(_ test: TriageCase) {
        let step = Decision.triage(test.record, seed: test.seed, provider: test.provider, daemonUser: 1000)
        #expect(step.action == test.action)
        #expect(step.record.state == test.state)
        #expect(step.note == test.note)
        if test.action == .record { #expect(step.record.seedStamp == test.seed.stamp, "what was refused or unowned is recorded as seen") }
    }

    // MARK: Plan

    struct PlanCase: CustomTestStringConvertible, Sendable {
        var name: String
        var record: CredentialRecord
        var seed: Decision.Seed = CredentialDecisionTests.seed()
        var access: Decision.Access
        var provider = Provider()
        var action: Decision.Action
        var scheduleAt: Date?
        var state: CredentialRecord.State
        var note: Decision.Note?
        var testDescription: String { name }
    }

    static let planCases: [PlanCase] = [
        PlanCase(name: "no .use: fetch", record: record(), access: .absent, action: .renew(fetch: true), state: .pending),
        PlanCase(name: "an unreadable .use: refresh, not fetch", record: record(),
                 access: Decision.Access(present: true, stamp: stamp(2), validity: nil), action: .renew(fetch: false), state: .pending),
        PlanCase(name: "a fresh .use: kept until half its lifetime", record: record(), access: access(expiresIn: 100),
                 action: .record, scheduleAt: now.addingTimeInterval(50), state: .valid),
        PlanCase(name: "a .use past half its lifetime: refresh", record: record { $0.state = .valid; $0.seedStamp = stamp(1) },
                 access: access(expiresIn: 40, issuedAgo: 60), action: .renew(fetch: false), state: .valid),
        PlanCase(name: "a fresh .use, provider settings changed: refresh",
                 record: record { $0.state = .valid; $0.seedStamp = stamp(1); $0.fingerprint = "f0" },
                 access: access(expiresIn: 100), action: .renew(fetch: false), state: .valid),
        PlanCase(name: "failing, backoff not over: wait for it",
                 record: record { $0.state = .failing; $0.seedStamp = stamp(1); $0.dueAt = now.addingTimeInterval(3) },
                 access: .absent, action: .record, scheduleAt: now.addingTimeInterval(3), state: .failing),
        PlanCase(name: "failing, new .top: ask now",
                 record: record { $0.state = .failing; $0.seedStamp = stamp(9); $0.dueAt = now.addingTimeInterval(3) },
                 access: .absent, action: .renew(fetch: true), state: .failing),
        PlanCase(name: "asked half a second ago: the renewal floor holds it",
                 record: record { $0.state = .valid; $0.seedStamp = stamp(1); $0.lastAttempt = now.addingTimeInterval(-0.5) },
                 access: access(expiresIn: 0.1, issuedAgo: 0.4), action: .record, scheduleAt: now.addingTimeInterval(0.5), state: .valid),
        // The login race.
        PlanCase(name: "web login: a .top written now, no .use: wait 1 s for it", record: record(), seed: seed(age: 0),
                 access: .absent, provider: Provider(webLogin: true), action: .record, scheduleAt: now.addingTimeInterval(1),
                 state: .pending, note: .awaitingWebLogin(until: now.addingTimeInterval(1))),
        PlanCase(name: "web login: a .top written 0.8 s ago: wait the rest", record: record(), seed: seed(age: 0.8),
                 access: .absent, provider: Provider(webLogin: true), action: .record, scheduleAt: now.addingTimeInterval(0.2),
                 state: .pending, note: .awaitingWebLogin(until: now.addingTimeInterval(0.2))),
        PlanCase(name: "web login: the .use came: kept, no request", record: record { $0.dueAt = now.addingTimeInterval(1) },
                 seed: seed(age: 0.2), access: access(expiresIn: 3600), provider: Provider(webLogin: true), action: .record,
                 scheduleAt: now.addingTimeInterval(1800), state: .valid),
        PlanCase(name: "web login: no .use after 1 s: fetch", record: record { $0.dueAt = now }, seed: seed(age: 1),
                 access: .absent, provider: Provider(webLogin: true), action: .renew(fetch: true), state: .pending),
        PlanCase(name: "web login: an old .top without .use (a crash): fetch at once", record: record(), seed: seed(age: 3600),
                 access: .absent, provider: Provider(webLogin: true), action: .renew(fetch: true), state: .pending),
        PlanCase(name: "web login: a .top from the future waits at most 1 s", record: record(), seed: seed(age: -30),
                 access: .absent, provider: Provider(webLogin: true), action: .record, scheduleAt: now.addingTimeInterval(1),
                 state: .pending, note: .awaitingWebLogin(until: now.addingTimeInterval(1))),
        PlanCase(name: "web login: a .top from the future waits no longer than its first deadline", record: record { $0.dueAt = now },
                 seed: seed(age: -30), access: .absent, provider: Provider(webLogin: true), action: .renew(fetch: true), state: .pending),
        PlanCase(name: "web login: a new login over a terminal credential waits too",
                 record: record { $0.state = .terminal; $0.seedStamp = stamp(9) }, seed: seed(age: 0.1), access: .absent,
                 provider: Provider(webLogin: true), action: .record, scheduleAt: now.addingTimeInterval(0.9), state: .terminal,
                 note: .awaitingWebLogin(until: now.addingTimeInterval(0.9))),
        PlanCase(name: "web login: a known credential whose .use vanished is not a login", record: record { $0.state = .valid; $0.seedStamp = stamp(1) },
                 seed: seed(age: 0), access: .absent, provider: Provider(webLogin: true), action: .renew(fetch: true), state: .valid),
        PlanCase(name: "not a web-login kind: a new .top is fetched at once", record: record(), seed: seed(age: 0),
                 access: .absent, provider: Provider(webLogin: false), action: .renew(fetch: true), state: .pending),
        // A newer .top (Vault, Pelican): acted on at once, once.
        PlanCase(name: "a .top newer than the fresh .use: refresh at once where the kind says so",
                 record: record { $0.state = .valid; $0.seedStamp = stamp(1) }, seed: seed(9, age: 10),
                 access: access(expiresIn: 3000, writtenAgo: 60), provider: Provider(newerSeed: true), action: .renew(fetch: false), state: .valid),
        PlanCase(name: "a .top newer than the .use, for a kind that does not say so: kept",
                 record: record { $0.state = .valid; $0.seedStamp = stamp(1) }, seed: seed(9, age: 10),
                 access: access(expiresIn: 3000, writtenAgo: 60), provider: Provider(newerSeed: false), action: .record,
                 scheduleAt: now.addingTimeInterval(1500), state: .valid),
        PlanCase(name: "a changed .top older than the .use: kept",
                 record: record { $0.state = .valid; $0.seedStamp = stamp(1) }, seed: seed(9, age: 120),
                 access: access(expiresIn: 3000, writtenAgo: 60), provider: Provider(newerSeed: true), action: .record,
                 scheduleAt: now.addingTimeInterval(1500), state: .valid),
        PlanCase(name: "a .top newer than the .use but already seen (a .top dated in the future): kept, no loop",
                 record: record { $0.state = .valid; $0.seedStamp = stamp(9) }, seed: seed(9, age: -600),
                 access: access(expiresIn: 3000, writtenAgo: 60), provider: Provider(newerSeed: true), action: .record,
                 scheduleAt: now.addingTimeInterval(1500), state: .valid),
    ]

    @Test("Plan with the .use", arguments: planCases)
    func plan(_ test: PlanCase) {
        let step = Decision.plan(test.record, seed: test.seed, access: test.access, provider: test.provider, now: Self.now, rules: Self.rules)
        #expect(step.action == test.action)
        #expect(step.scheduleAt == test.scheduleAt)
        #expect(step.record.state == test.state)
        #expect(step.note == test.note)
        switch step.action {
        case .renew: #expect(step.record.lastAttempt == Self.now, "the floor counts from this request")
        case .record where step.note != nil || test.record.lastAttempt != nil:
            // A wait that is not about the files records nothing of what it saw.
            #expect(step.record.seedStamp == test.record.seedStamp)
            #expect(step.record.dueAt == step.scheduleAt)
        default: break
        }
    }

    // MARK: Settle

    static let update = CredentialUpdate(accessTokenFile: Array(#"{"access_token":"t","expires_in":100}"#.utf8),
                                         validity: TokenValidity(issuedAt: now, expiresAt: now.addingTimeInterval(100)))

    @Test("A renewal is scheduled at its renewal point; a recovery is said")
    func settleRenewed() {
        let failing = Self.record { $0.state = .failing; $0.consecutiveFailures = 3; $0.lastError = "x" }
        let step = Decision.settle(failing, outcome: .renewed(Self.update, accessStamp: Self.stamp(5)), provider: Provider(),
                                   now: Self.now, firstIssue: false, rules: Self.rules)
        #expect(step.record.state == .valid)
        #expect(step.record.consecutiveFailures == 0 && step.record.lastError == nil)
        #expect(step.record.accessStamp == Self.stamp(5))
        #expect(step.record.lastRenewal == Self.now)
        #expect(step.scheduleAt == Self.now.addingTimeInterval(50))
        #expect(step.tally == .renewed && step.keepsCopy)
        #expect(step.note == .renewed(expires: Self.now.addingTimeInterval(100), recovered: true))
    }

    @Test("A token of unknown lifetime is looked at again after the recheck interval")
    func settleUnknownLifetime() {
        let update = CredentialUpdate(accessTokenFile: Array(#"{"access_token":"t"}"#.utf8), validity: nil)
        let step = Decision.settle(Self.record(), outcome: .renewed(update, accessStamp: nil), provider: Provider(),
                                   now: Self.now, firstIssue: true, rules: Self.rules)
        #expect(step.scheduleAt == Self.now.addingTimeInterval(60))
        #expect(step.note == .issued(expires: nil, recovered: false))
    }

    struct FailureCase: CustomTestStringConvertible, Sendable {
        var name: String
        var previous: CredentialRecord.State
        var error: ProviderError
        var state: CredentialRecord.State
        var scheduleAt: Date?
        var note: Decision.Note?
        var testDescription: String { name }
    }

    static let failureCases: [FailureCase] = [
        FailureCase(name: "transient: back off, said once", previous: .valid, error: .transient(.server("server_error"), "503"),
                    state: .failing, scheduleAt: now.addingTimeInterval(5), note: .failing(error: "server_error: 503", retryIn: 5)),
        FailureCase(name: "transient again: debug line", previous: .failing, error: .transient(.server("server_error"), "503"),
                    state: .failing, scheduleAt: now.addingTimeInterval(5), note: .failingAgain(error: "server_error: 503", failures: 1)),
        FailureCase(name: "Retry-After longer than the backoff wins", previous: .valid, error: .transient(.server("slow_down"), "429", retryAfter: 30),
                    state: .failing, scheduleAt: now.addingTimeInterval(30), note: .failing(error: "slow_down: 429", retryIn: 30)),
        FailureCase(name: "terminal: no schedule until the .top changes", previous: .valid, error: .terminal(.server("invalid_grant"), "log in again"),
                    state: .terminal, scheduleAt: nil, note: .terminal(error: "invalid_grant: log in again")),
        FailureCase(name: "dormant: left alone", previous: .pending, error: .dormant(.server("no_refresh"), "use_refresh_token is false"),
                    state: .dormant, scheduleAt: nil, note: .dormant(reason: "use_refresh_token is false")),
        FailureCase(name: "discard: the seed died at its source; its files are gone, said once", previous: .valid,
                    error: .discard(.seedRejected, "permission denied"), state: .discarded, scheduleAt: nil,
                    note: .discarded(error: "seed_rejected: permission denied")),
    ]

    @Test("A failure", arguments: failureCases)
    func settleFailed(_ test: FailureCase) {
        let record = Self.record { $0.state = test.previous }
        let step = Decision.settle(record, outcome: .failed(test.error), provider: Provider(), now: Self.now, firstIssue: false, rules: Self.rules)
        #expect(step.record.state == test.state)
        #expect(step.scheduleAt == test.scheduleAt)
        #expect(step.record.dueAt == test.scheduleAt)
        #expect(step.record.fingerprint == "f1")
        #expect(step.note.map(Self.withoutText) == test.note.map(Self.withoutText))
        #expect(step.tally == (test.state == .dormant ? nil : .failed))
    }

    /// Notes compared by kind and numbers (the error text is the provider error's description, tested elsewhere).
    static func withoutText(_ note: Decision.Note) -> Decision.Note {
        switch note {
        case .failing(_, let delay): .failing(error: "", retryIn: delay)
        case .failingAgain(_, let failures): .failingAgain(error: "", failures: failures)
        case .terminal: .terminal(error: "")
        case .discarded: .discarded(error: "")
        default: note
        }
    }

    @Test("An answer whose token has already expired is unusable")
    func unusableAnswer() {
        let expired = CredentialUpdate(accessTokenFile: [], validity: TokenValidity(issuedAt: Self.now, expiresAt: Self.now))
        #expect(Decision.unusable(expired, now: Self.now)?.code == .tokenAlreadyExpired)
        #expect(Decision.unusable(Self.update, now: Self.now) == nil)
        #expect(Decision.unusable(CredentialUpdate(accessTokenFile: [], validity: nil), now: Self.now) == nil)
    }
}
