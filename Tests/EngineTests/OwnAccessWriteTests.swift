import Foundation
import Testing
@testable import Engine

extension Monitor {
    /// The counts of own `.use` writes whose event has not come, by credential (kept in the records).
    fileprivate var ownAccessWrites: [CredentialID: Int] {
        var counts: [CredentialID: Int] = [:]
        for record in records.values where record.ownAccessWrites > 0 { counts[record.id] = Int(record.ownAccessWrites) }
        return counts
    }
}

/// The monitor counts the `.use` files it writes so that their inotify events need no `stat`; the counts must never
/// hide a write of someone else's.
@Suite("Counted own .use writes")
struct OwnAccessWriteTests {
    @Test("The own write's event takes its count; an outside write after it is still seen")
    func outsideWriteAfterOwnWrite() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider])
        try harness.writeSeed("alice", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            #expect(await eventually { await harness.monitor.ownAccessWrites.isEmpty }, "the own write's event never came")
            let own = await harness.record("alice", "svc")?.accessStamp
            // Someone else's .use, as credmon-web writes one: a new file renamed over it.
            let replacement = harness.path("alice/.svc.use.new")
            try Data(#"{"access_token": "outside", "expires_in": 300}"#.utf8).write(to: URL(fileURLWithPath: replacement))
            #expect(rename(replacement, harness.path("alice/svc.use")) == 0)
            let outside = try #require(try FileStatus.of(path: harness.path("alice/svc.use"))).stamp
            #expect(outside != own)
            #expect(await harness.waitForRecord("alice", "svc") { $0.accessStamp == outside }, "the outside write was taken for the monitor's own")
        }
    }

    @Test("Counts are dropped when the kernel dropped events, and with their user's directory")
    func countsCleared() async throws {
        let harness = try MonitorHarness(providers: [ScriptedProvider(name: "svc")])
        try harness.writeSeed("alice", "svc")
        try harness.writeSeed("bob", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("bob", "svc") { $0.state == .valid })
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            #expect(await eventually { await harness.monitor.ownAccessWrites.isEmpty })
            let watcher = try #require(await harness.monitor.watcher)
            let alice = CredentialID(user: "alice", token: try #require(TokenName(stem: "svc")))
            let bob = CredentialID(user: "bob", token: try #require(TokenName(stem: "svc")))
            await harness.monitor.countOwnAccessWrite(alice)
            await harness.monitor.countOwnAccessWrite(bob)
            #expect(await harness.monitor.ownAccessWrites == [alice: 1, bob: 1])
            await harness.monitor.handle([.userRemoved("bob")], watcher: watcher)
            #expect(await harness.monitor.ownAccessWrites == [alice: 1])
            await harness.monitor.handle([.rescanNeeded], watcher: watcher)
            #expect(await harness.monitor.ownAccessWrites.isEmpty)
        }
    }

    @Test("A worker's copy of a record, committed after a count, leaves the count as the store has it")
    func commitKeepsCounts() async throws {
        let harness = try MonitorHarness(providers: [ScriptedProvider(name: "svc")])
        try harness.writeSeed("alice", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            #expect(await eventually { await harness.monitor.ownAccessWrites.isEmpty })
            let alice = CredentialID(user: "alice", token: try #require(TokenName(stem: "svc")))
            let copy = try #require(await harness.record("alice", "svc"))
            await harness.monitor.countOwnAccessWrite(alice)
            await harness.monitor.commit(copy)
            #expect(await harness.monitor.ownAccessWrites == [alice: 1])
        }
    }

    @Test("No count where no event will come: a directory not watched")
    func unwatchedNotCounted() async throws {
        let harness = try MonitorHarness(providers: [ScriptedProvider(name: "svc")]) { $0.watchFiles = false }
        try harness.writeSeed("alice", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            #expect(await harness.monitor.ownAccessWrites.isEmpty)
        }
    }

    @Test("A burst of own writes is counted in the records, none lost and none taken twice, and a removed record takes its counts with it", .timeLimit(.minutes(1)))
    func countsLiveInRecords() async throws {
        let harness = try MonitorHarness(providers: [ScriptedProvider(name: "svc")])
        let users = (0..<1100).map { "user\($0)" }
        for user in users { try harness.writeSeed(user, "svc") }
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            #expect(await eventually { await harness.monitor.ownAccessWrites.isEmpty }, "the own writes' events never came")
            // 1,100 writes counted before any of their events is read (as in a first pass over thousands of users),
            // one user's twice.
            let watcher = try #require(await harness.monitor.watcher)
            let token = try #require(TokenName(stem: "svc"))
            for user in users { await harness.monitor.countOwnAccessWrite(CredentialID(user: user, token: token)) }
            await harness.monitor.countOwnAccessWrite(CredentialID(user: "user7", token: token))
            #expect(await harness.monitor.ownAccessWrites.count == 1100)
            #expect(await harness.monitor.ownAccessWrites[CredentialID(user: "user7", token: token)] == 2)
            for user in users {
                await harness.monitor.handle([.credentialFile(user: user, stem: "svc", file: .access)], watcher: watcher)
            }
            #expect(await harness.monitor.ownAccessWrites == [CredentialID(user: "user7", token: token): 1])
            await harness.monitor.countOwnAccessWrite(CredentialID(user: "user8", token: token))
            _ = await harness.monitor.forgetRecord(CredentialID(user: "user8", token: token))
            #expect(await harness.monitor.ownAccessWrites == [CredentialID(user: "user7", token: token): 1])
        }
    }
}
