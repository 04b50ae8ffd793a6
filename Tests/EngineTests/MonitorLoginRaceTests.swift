import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// The login race with the monitor running: credmon-web writes `.meta`, `.top`, then `.use`.
@Suite("The monitor and the login race")
struct MonitorLoginRaceTests {
    /// Writes `<user>/<stem>.use` as credmon-web does (an hour-long token), atomically.
    func writeAccessToken(_ harness: MonitorHarness, _ user: String, _ stem: String) throws {
        let temporary = harness.path("\(user)/.web-\(stem).use")
        try Data(#"{"access_token":"from-web","expires_in":3600}"#.utf8).write(to: URL(fileURLWithPath: temporary))
        #expect(rename(temporary, harness.path("\(user)/\(stem).use")) == 0)
    }

    @Test("A web login's new .top waits for its .use: the token from the web is kept and the provider is never asked")
    func waitsForUse() async throws {
        let provider = ScriptedProvider(name: "svc", webLogin: true)
        let harness = try MonitorHarness(providers: [provider])
        try harness.writeSeed("bob", "other")
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            try harness.writeSeed("alice", "svc", #"{"refresh_token": "single-use"}"#)
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .pending && $0.dueAt != nil },
                    "the decision to wait is recorded")
            let deadline = try #require(await harness.record("alice", "svc")?.dueAt)
            #expect(deadline <= harness.clock.now().addingTimeInterval(1))
            #expect(provider.totalCalls == 0)

            try writeAccessToken(harness, "alice", "svc")
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            #expect(accessToken(harness.text("alice/svc.use")) == "from-web")

            // The wait's deadline passes: nothing is due any more.
            harness.clock.advance(by: 1.5)
            await harness.monitor.idle()
            #expect(provider.totalCalls == 0)
            #expect(accessToken(harness.text("alice/svc.use")) == "from-web")
        }
    }

    @Test("Without its .use, the .top is fetched once the wait is over (at most a second)")
    func fetchesAfterTheWait() async throws {
        let provider = ScriptedProvider(name: "svc", webLogin: true)
        let harness = try MonitorHarness(providers: [provider])
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            try harness.writeSeed("alice", "svc", #"{"refresh_token": "rt"}"#)
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .pending && $0.dueAt != nil })
            await harness.monitor.idle()
            #expect(provider.totalCalls == 0, "not before the deadline")
            harness.clock.advance(by: 1)
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            #expect(provider.callKinds == ["fetch"])
        }
    }

    @Test("Other kinds do not wait: a new .top is fetched at once")
    func otherKindsDoNotWait() async throws {
        let provider = ScriptedProvider(name: "svc", webLogin: false)
        let harness = try MonitorHarness(providers: [provider])
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            try harness.writeSeed("alice", "svc")
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            #expect(provider.callKinds == ["fetch"])
        }
    }
}
