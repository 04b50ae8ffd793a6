import Foundation
import Testing
@testable import Engine

/// Deep passes re-list only changed directories and stat the known files of the others.
@Suite("Deep passes over unchanged directories")
struct DeepPassTests {
    @Test("Without inotify, a .top rewritten in place (its directory unchanged) is missed by a periodic pass and found by the deep one; a removed .top is found too")
    func deepPassFindsInPlaceWrites() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) {
            $0.watchFiles = false
            $0.deepPassEvery = 1000
        }
        try harness.writeSeed("alice", "svc")
        try harness.writeSeed("bob", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            // The first pass wrote each .use after listing the directory: the next pass lists them again. After
            // that the directories are unchanged, and older than the scan's two-second window.
            #expect(await harness.pass(after: 5, reaching: 2))
            harness.clock.advance(by: 5)
            let before = try #require(await harness.record("alice", "svc")?.seedStamp)
            let handle = try #require(FileHandle(forWritingAtPath: harness.path("alice/svc.top")))
            handle.write(Data("alice@rewritten.example".utf8))
            try handle.close()
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(3))
            #expect(await harness.record("alice", "svc")?.seedStamp == before, "a periodic pass trusts the unchanged directory")

            await harness.monitor.requestReload()
            #expect(await harness.waitForPasses(4))
            #expect(await harness.waitForRecord("alice", "svc") { $0.seedStamp != before && $0.state == .valid })

            // Removing a .top changes its directory's stamp: the deep pass lists that directory and forgets the credential.
            try FileManager.default.removeItem(atPath: harness.path("bob/svc.top"))
            harness.clock.advance(by: 5)
            await harness.monitor.requestReload()
            #expect(await harness.waitForPasses(5))
            #expect(await eventually(timeout: .seconds(20)) { await harness.record("bob", "svc") == nil })
        }
    }

    @Test("A deep pass that finds every known credential, unchanged and not due, hands over none; one gone is still found")
    func deepPassWithEverythingFound() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) {
            $0.watchFiles = false
            $0.deepPassEvery = 1000
        }
        for user in ["alice", "bob", "carol"] { try harness.writeSeed(user, "svc") }
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            #expect(await harness.pass(after: 3, reaching: 2))  // lists the directories the first pass wrote into
            harness.clock.advance(by: 3)
            await harness.monitor.requestReload()
            #expect(await harness.waitForPasses(3))
            #expect(harness.passSummaries.last?.processed == 0, "nothing changed and nothing is due: \(harness.passSummaries)")
            #expect(provider.calls("alice", "svc") == 1 && provider.calls("bob", "svc") == 1 && provider.calls("carol", "svc") == 1)
            // A whole user directory gone: its credential is no longer found, and the pass looks at it.
            try FileManager.default.removeItem(atPath: harness.path("carol"))
            await harness.monitor.requestReload()
            #expect(await harness.waitForPasses(4))
            #expect(harness.passSummaries.last?.processed == 1, "\(harness.passSummaries)")
            #expect(await eventually(timeout: .seconds(20)) { await harness.record("carol", "svc") == nil })
        }
    }

    @Test("A reload's deep pass hands over the unchanged credentials whose provider changed or that now have one, and no other")
    func deepPassAfterProviderChange() async throws {
        let before = ScriptedProvider(name: "svc", fingerprint: "svc-1")
        let after = ScriptedProvider(name: "svc", fingerprint: "svc-2")
        let steady = ScriptedProvider(name: "kept", fingerprint: "kept-1")
        let added = ScriptedProvider(name: "new")
        let harness = try MonitorHarness(providers: [before, steady], reloaded: [after, steady, added]) {
            $0.watchFiles = false
            $0.deepPassEvery = 1000
        }
        for user in ["alice", "bob"] { try harness.writeSeed(user, "svc") }
        try harness.writeSeed("carol", "kept")
        try harness.writeSeed("dave", "new")
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            #expect(await harness.pass(after: 3, reaching: 2))  // lists the directories the first pass wrote into
            harness.clock.advance(by: 3)
            #expect(await harness.record("dave", "new")?.state == .unowned)
            await harness.monitor.requestReload()
            #expect(await harness.waitForPasses(3))
            #expect(harness.passSummaries.last?.processed == 3, "\(harness.passSummaries)")
            #expect(await eventually(timeout: .seconds(20)) {
                after.calls("alice", "svc") == 1 && after.calls("bob", "svc") == 1 && added.calls("dave", "new") == 1
            })
            #expect(before.calls("alice", "svc") == 1 && steady.calls("carol", "kept") == 1)
        }
    }
}
