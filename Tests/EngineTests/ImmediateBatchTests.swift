import Foundation
import Synchronization
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// A provider that renews on the caller's thread: counts its calls, and can hold some users' renewals until released
/// (a disk that stalls), blocking the thread they run on.
final class ImmediateTestProvider: ImmediateCredentialProvider, @unchecked Sendable {
    let profile: ProviderProfile
    private let state = Mutex<(immediate: Int, async: Int, holding: Int)>((0, 0, 0))
    private let held: Set<String>
    private let release = DispatchSemaphore(value: 0)

    init(name: String, holding users: Set<String> = []) {
        held = users
        profile = ProviderProfile(name: name, kind: "immediate-test",
                                  traits: ProviderTraits(allowsHandles: false, readsSeed: false, renewFraction: 0.5, revokesOnRemoval: false),
                                  settings: [], fingerprint: "immediate-\(name)")
    }

    var immediateCalls: Int { state.withLock { $0.immediate } }
    var asyncCalls: Int { state.withLock { $0.async } }

    /// Waits (at most 20 s, without blocking a thread of the cooperative pool) until every held user's renewal is held.
    func waitUntilHolding() async -> Bool {
        await eventually(timeout: .seconds(20)) { self.state.withLock { $0.holding } == self.held.count }
    }

    func releaseHeld() { for _ in held { release.signal() } }

    func renewImmediately(_ request: CredentialRequest) throws -> CredentialUpdate {
        let count = state.withLock {
            $0.immediate += 1
            return $0.immediate
        }
        if held.contains(request.id.user) {
            state.withLock { $0.holding += 1 }
            _ = release.wait(timeout: .now() + 30)
        }
        let token = #"{"access_token":"imm-\#(count)","expires_in":100}"#
        return CredentialUpdate(accessTokenFile: Array(token.utf8),
                                validity: TokenValidity(issuedAt: request.now, expiresAt: request.now.addingTimeInterval(100)))
    }

    func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate {
        state.withLock { $0.async += 1 }
        return try renewImmediately(request)
    }

    func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate {
        state.withLock { $0.async += 1 }
        return try renewImmediately(request)
    }

    func revoke(_ request: RevocationRequest) async throws {}
}

@Suite("Immediate providers: renewals in batches on the blocking-I/O pool")
struct ImmediateBatchTests {
    @Test("300 credentials of an immediate provider are issued through renewImmediately, never fetch; a scripted provider's beside them as before")
    func batchesOnThePool() async throws {
        let immediate = ImmediateTestProvider(name: "local")
        let scripted = ScriptedProvider(name: "remote")
        let harness = try MonitorHarness(providers: [immediate, scripted])
        for index in 0..<300 { try harness.writeSeed("user\(index)", "local") }
        for index in 0..<5 { try harness.writeSeed("user\(index)", "remote") }
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            let records = await harness.monitor.currentRecords()
            #expect(records.filter { $0.id.token.service == "local" && $0.state == .valid }.count == 300)
            #expect(records.filter { $0.id.token.service == "remote" && $0.state == .valid }.count == 5)
            #expect(immediate.immediateCalls == 300)
            #expect(immediate.asyncCalls == 0)
            #expect(scripted.totalCalls == 5)
            var tokens = Set<String>()
            for index in 0..<300 {
                let text = harness.text("user\(index)/local.use")
                if let token = accessToken(text) { tokens.insert(token) }
                #expect(Files.mode(harness.path("user\(index)/local.use")) == 0o400)
            }
            #expect(tokens.count == 300, "one distinct token per credential")
            #expect(harness.temporaryFiles().isEmpty)

            // Renewal at half the lifetime goes the same way (refresh through the pool, not refresh()).
            harness.clock.advance(by: 51)
            #expect(await eventually { immediate.immediateCalls == 600 })
            #expect(immediate.asyncCalls == 0)
        }
    }

    @Test("Immediate renewals held on the pool (a stalled disk), more of them than the cooperative pool has threads, hold up neither the monitor nor another provider's credentials")
    func stalledPoolHoldsNothingElse() async throws {
        // More held renewals than Swift's cooperative pool has threads (one per core): were they run there, nothing
        // else could run until they were released.
        let stuck = Set((0...ProcessInfo.processInfo.activeProcessorCount).map { "stuck\($0)" })
        let immediate = ImmediateTestProvider(name: "local", holding: stuck)
        let scripted = ScriptedProvider(name: "remote")
        let harness = try MonitorHarness(providers: [immediate, scripted])
        for user in stuck {
            try harness.writeSeed(user, "local")
            try harness.writeSeed(user, "remote")
        }
        try harness.writeSeed("free", "remote")
        try await harness.whileRunning {
            #expect(await immediate.waitUntilHolding())
            // While the pool's threads are held: the other provider's credentials are issued and the actor answers.
            for user in stuck.union(["free"]) {
                #expect(await harness.waitForRecord(user, "remote", timeout: .seconds(20)) { $0.state == .valid })
            }
            for user in stuck {
                #expect(await harness.record(user, "local")?.state != .valid)
                #expect(!harness.exists("\(user)/local.use"))
            }
            immediate.releaseHeld()
            for user in stuck {
                #expect(await harness.waitForRecord(user, "local", timeout: .seconds(20)) { $0.state == .valid })
                #expect(accessToken(harness.text("\(user)/local.use")) != nil)
            }
        }
    }
}

@Suite("The work queue's batches")
struct WorkQueueBatchTests {
    @Test("take(upTo:) hands out queued credentials in order, each once, and marks them in flight")
    func takeUpTo() {
        var queue = WorkQueue()
        let ids = (0..<10).map { CredentialID(user: "u\($0)", token: TokenName(stem: "svc", allowSpecialCharacters: false)!) }
        for id in ids { queue.enqueue(id) }
        queue.enqueue(ids[0])
        let first = queue.take(upTo: 4)
        #expect(first == Array(ids[0..<4]))
        #expect(first.allSatisfy { queue.isInFlight($0) })
        #expect(queue.waiting == 6)
        #expect(queue.take(upTo: 100) == Array(ids[4...]))
        #expect(queue.take(upTo: 3).isEmpty)
        for id in ids { #expect(queue.finish(id) == false) }
        #expect(queue.isIdle)
    }

    @Test("through the queue's compactions, a waiting credential is queued once, found pending, and taken in order")
    func compactionsKeepTheIndex() {
        var queue = WorkQueue()
        let ids = (0..<3_000).map { CredentialID(user: "u\($0)", token: TokenName(stem: "svc", allowSpecialCharacters: false)!) }
        for id in ids { queue.enqueue(id) }
        var taken: [CredentialID] = []
        for _ in 0..<2_000 { if let id = queue.take() { taken.append(id) } }  // compacts the queue on the way
        let takenInOrder = taken == Array(ids.prefix(2_000))
        #expect(takenInOrder)
        for id in ids.suffix(1_000) { queue.enqueue(id) }  // waiting already: not queued twice
        #expect(queue.waiting == 1_000)
        #expect(ids.allSatisfy { queue.isPending($0) }, "waiting or in flight")
        for id in taken { #expect(queue.finish(id) == false) }
        #expect(taken.allSatisfy { !queue.isPending($0) }, "finished")
        let again = ids.prefix(2_000).filter { $0.user.hasSuffix("7") }
        for id in again { queue.enqueue(id) }
        var rest: [CredentialID] = []
        while let id = queue.take() { rest.append(id) }
        let restInOrder = rest == Array(ids.suffix(1_000)) + again
        #expect(restInOrder, "the waiting ones in order, then the ones queued again (\(rest.count) taken)")
    }

    @Test("once a burst of 5,000 is done, the queue gives back the room it took (its sets and its array)")
    func burstCapacityGivenBack() {
        var queue = WorkQueue()
        let ids = (0..<5_000).map { CredentialID(user: "u\($0)", token: TokenName(stem: "svc", allowSpecialCharacters: false)!) }
        for id in ids { queue.enqueue(id) }
        #expect(queue.heldCapacity >= 10_000, "the array and the set of those waiting")
        var taken: [CredentialID] = []
        while case let batch = queue.take(upTo: 64), !batch.isEmpty {
            taken += batch
            if taken.count > 4_900 { for id in batch { _ = queue.finish(id) } }
        }
        #expect(taken == ids)
        #expect(queue.heldCapacity >= 5_000, "still working: the room stays")
        for id in taken.prefix(4_900) { _ = queue.finish(id) }
        #expect(queue.isIdle)
        #expect(queue.heldCapacity < 100, "held \(queue.heldCapacity)")
    }
}

@Suite("Periodic passes that trust inotify")
struct EventsOnlyPassTests {
    @Test("With every directory watched and the root unchanged, a periodic pass looks at no user directory; a new user, a deep pass or an unwatched monitor scans again, and changes still arrive by their events")
    func trustsEvents() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) { $0.deepPassEvery = 1000 }
        try harness.writeSeed("alice", "svc")
        try harness.writeSeed("bob", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            // The first pass created CREDMON_COMPLETE in the root: the next pass scans; the root is then older than
            // the clock's two-second window (the clock is moved past it).
            #expect(await harness.pass(after: 5, reaching: 2))
            #expect(await harness.pass(after: 5, reaching: 3))
            #expect(harness.passSummaries.map(\.scanned) == [true, true, false])

            // A change in a watched directory arrives by its event, pass or no pass.
            let before = await harness.record("alice", "svc")?.seedStamp
            try harness.writeSeed("alice", "svc", "alice@bar.example")
            #expect(await harness.waitForRecord("alice", "svc") { $0.seedStamp != before && $0.state == .valid })

            // A new user changes the root: the next pass scans.
            try harness.writeSeed("carol", "svc")
            #expect(await harness.waitForRecord("carol", "svc") { $0.state == .valid })
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(4))
            #expect(harness.passSummaries.last?.scanned == true)

            // A reload (deep) pass always scans.
            harness.clock.advance(by: 5)
            await harness.monitor.requestReload()
            #expect(await harness.waitForPasses(5))
            #expect(harness.passSummaries.last?.scanned == true)
            #expect(await harness.record("bob", "svc")?.state == .valid)
        }
    }

    @Test("Without a watcher every periodic pass scans")
    func scansWithoutWatcher() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) {
            $0.watchFiles = false
            $0.deepPassEvery = 1000
        }
        try harness.writeSeed("alice", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            for count in 2...3 {
                #expect(await harness.pass(after: 5, reaching: count))
            }
            #expect(harness.passSummaries.map(\.scanned) == [true, true, true])
        }
    }
}
