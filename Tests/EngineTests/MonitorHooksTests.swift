import Foundation
import Testing
@testable import Engine

/// What the monitor offers its host and its tests: ``Monitor/changes()`` and ``Monitor/idle()``.
@Suite("The monitor's change stream and idle hook")
struct MonitorHooksTests {
    @Test("changes() yields at once, then after record changes, coalescing a burst")
    func changesStream() async throws {
        let harness = try MonitorHarness(providers: [ScriptedProvider(name: "svc")])
        for index in 0..<20 { try harness.writeSeed("user\(index)", "svc") }
        let changes = await harness.monitor.changes()
        var iterator = changes.makeAsyncIterator()
        #expect(await iterator.next() != nil, "the state as it is counts as a change")
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            #expect(await iterator.next() != nil, "the pass changed records")
            let seen = await harness.monitor.changeCount
            #expect(seen >= 20)
            // A later change is one more element (those made while nobody listened were coalesced into one).
            try harness.writeSeed("erin", "svc")
            #expect(await harness.waitForRecord("erin", "svc") { $0.state == .valid })
            #expect(await iterator.next() != nil)
        }
    }

    @Test("idle() waits for the work in flight, and returns while the scheduler sleeps until a later date")
    func idleAfterWork() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider])
        for index in 0..<10 { try harness.writeSeed("user\(index)", "svc") }
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            await harness.monitor.idle()
            #expect(provider.totalCalls == 10)
            // Every token is due at +50: past it, idle() returns only once they are all renewed.
            harness.clock.advance(by: 51)
            await harness.monitor.idle()
            #expect(provider.totalCalls == 20)
            #expect(provider.callKinds.suffix(10).allSatisfy { $0 == "refresh" })
        }
    }

    @Test("The scheduler wakes for a date earlier than the one it sleeps until")
    func schedulerWakesEarlier() async throws {
        let provider = ScriptedProvider(name: "svc")
        provider.fail("bob", with: .transient(.server("server_error"), "HTTP 503"))
        let harness = try MonitorHarness(providers: [provider]) { $0.backoff = Backoff(initial: 5, maximum: 5, jitter: 0) }
        try harness.writeSeed("alice", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            await harness.monitor.idle()
            // Asleep until alice's +50; bob's retry at +5 comes later and is earlier.
            try harness.writeSeed("bob", "svc")
            #expect(await harness.waitForRecord("bob", "svc") { $0.state == .failing })
            provider.fail("bob", with: nil)
            harness.clock.advance(by: 6)
            #expect(await harness.waitForRecord("bob", "svc") { $0.state == .valid })
            #expect(provider.calls("alice", "svc") == 1)
        }
    }
}
