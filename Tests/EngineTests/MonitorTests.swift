import Foundation
import Testing
@testable import Engine

@Suite("The monitor")
struct MonitorTests {
    @Test("Issues a .use (mode 0400) for every credential, touches CREDMON_COMPLETE, renews at half the lifetime")
    func issuesAndRenews() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider])
        try harness.writeSeed("alice", "svc")
        try harness.writeSeed("bob", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            #expect(harness.exists("CREDMON_COMPLETE"))
            for user in ["alice", "bob"] {
                #expect(await harness.waitForRecord(user, "svc") { $0.state == .valid })
                let token = try #require(accessToken(harness.text("\(user)/svc.use")), "\(user)/svc.use")
                #expect(["tok-1", "tok-2"].contains(token))
                #expect(harness.text("\(user)/svc.use") == #"{"access_token":"\#(token)","expires_in":100}"#)
                #expect(Files.mode(harness.path("\(user)/svc.use")) == 0o400)
                let record = try #require(await harness.record(user, "svc"))
                #expect(record.provider == "svc")
                #expect(record.validity == TokenValidity(issuedAt: harness.start, expiresAt: harness.start.addingTimeInterval(100)))
                #expect(record.dueAt == harness.start.addingTimeInterval(50))
                #expect(record.lastRenewal == harness.start)
            }
            #expect(provider.totalCalls == 2)
            #expect(provider.callKinds == ["fetch", "fetch"])

            // Before the renewal point nothing happens: the monitor goes idle, its scheduler asleep until then.
            harness.clock.advance(by: 40)
            await harness.monitor.idle()
            #expect(provider.totalCalls == 2)

            // Past it, both are renewed with refresh.
            harness.clock.advance(by: 11)
            #expect(await eventually { provider.totalCalls == 4 })
            for user in ["alice", "bob"] {
                #expect(await harness.waitForRecord(user, "svc") { $0.lastRenewal == harness.start.addingTimeInterval(51) })
                let token = accessToken(harness.text("\(user)/svc.use"))
                #expect(token == "tok-3" || token == "tok-4", "renewed token: \(String(describing: token))")
                #expect(Files.mode(harness.path("\(user)/svc.use")) == 0o400)
                #expect(await harness.record(user, "svc")?.dueAt == harness.start.addingTimeInterval(51 + 50))
            }
            #expect(provider.callKinds == ["fetch", "fetch", "refresh", "refresh"])

            // A pass now finds nothing to do.
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(2))
            #expect(provider.totalCalls == 4)
        }
    }

    @Test("CREDMON_COMPLETE is touched after every full pass")
    func completeMarkerEveryPass() async throws {
        let harness = try MonitorHarness(providers: [ScriptedProvider(name: "svc")])
        try harness.writeSeed("alice", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            let marker = harness.path("CREDMON_COMPLETE")
            let old = Date(timeIntervalSince1970: 1_000_000_000)
            try Files.setModified(marker, old)
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(2))
            #expect(await eventually { (Files.modified(marker) ?? old) > old })
        }
    }

    @Test("A credential failing with transient errors backs off and is retried; the others are not held up")
    func transientFailureIsolated() async throws {
        let provider = ScriptedProvider(name: "svc")
        provider.fail("bob", with: .transient(.server("server_error"), "HTTP 503 from the token endpoint"))
        let harness = try MonitorHarness(providers: [provider]) {
            $0.backoff = Backoff(initial: 5, maximum: 5, jitter: 0)
        }
        for user in ["alice", "bob", "carol"] { try harness.writeSeed(user, "svc") }
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            for user in ["alice", "carol"] {
                #expect(await harness.waitForRecord(user, "svc") { $0.state == .valid })
                #expect(accessToken(harness.text("\(user)/svc.use")) != nil)
            }
            let failing = try #require(await harness.record("bob", "svc"))
            #expect(failing.state == .failing)
            #expect(failing.consecutiveFailures == 1)
            #expect(failing.lastError?.contains("server_error") == true)
            #expect(failing.dueAt == harness.start.addingTimeInterval(5))
            #expect(!harness.exists("bob/svc.use"))
            #expect(provider.calls("bob", "svc") == 1)

            // Not before the backoff has passed...
            harness.clock.advance(by: 3)
            await harness.monitor.idle()
            #expect(provider.calls("bob", "svc") == 1)
            // ...then retried, and still failing.
            harness.clock.advance(by: 3)
            #expect(await harness.waitForRecord("bob", "svc") { $0.consecutiveFailures == 2 })
            #expect(provider.calls("bob", "svc") == 2)
            #expect(await harness.record("bob", "svc")?.state == .failing)

            // The provider recovers: the next retry succeeds.
            provider.fail("bob", with: nil)
            harness.clock.advance(by: 6)
            #expect(await harness.waitForRecord("bob", "svc") { $0.state == .valid })
            let recovered = try #require(await harness.record("bob", "svc"))
            #expect(recovered.consecutiveFailures == 0)
            #expect(recovered.lastError == nil)
            #expect(accessToken(harness.text("bob/svc.use"))?.hasPrefix("tok-") == true)
            #expect(provider.calls("alice", "svc") == 1, "the healthy credentials were not renewed early")
            #expect(provider.calls("carol", "svc") == 1)
        }
    }

    @Test("Retry-After from the provider is honoured, up to the backoff maximum")
    func retryAfterHonoured() async throws {
        let provider = ScriptedProvider(name: "svc")
        provider.fail("bob", with: .transient(.server("slow_down"), "HTTP 429", retryAfter: 30))
        provider.fail("carol", with: .transient(.server("slow_down"), "HTTP 429", retryAfter: 1e9))
        let harness = try MonitorHarness(providers: [provider]) {
            $0.backoff = Backoff(initial: 5, maximum: 60, jitter: 0)
        }
        try harness.writeSeed("bob", "svc")
        try harness.writeSeed("carol", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("bob", "svc") { $0.state == .failing })
            #expect(await harness.record("bob", "svc")?.dueAt == harness.start.addingTimeInterval(30))
            #expect(await harness.waitForRecord("carol", "svc") { $0.dueAt == harness.start.addingTimeInterval(60) })
            #expect(await harness.pass(after: 10, reaching: 2))
            #expect(provider.calls("bob", "svc") == 1)
            harness.clock.advance(by: 21)
            #expect(await eventually { provider.calls("bob", "svc") == 2 })
        }
    }

    @Test("A discarded credential loses its .top and .use, stays in status until a new .top, and goes with its user's directory")
    func discardedCredential() async throws {
        let provider = ScriptedProvider(name: "svc", readsSeed: true)
        provider.script(.fetch, .token("first"))
        provider.script(.refresh, .fail(.discard(.seedRejected, "permission denied")))
        let harness = try MonitorHarness(providers: [provider])
        try harness.writeSeed("dave", "svc", #"{"vault_token": "old"}"#)
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("dave", "svc") { $0.state == .valid })
            harness.clock.advance(by: 60)
            #expect(await harness.waitForRecord("dave", "svc") { $0.state == .discarded })
            #expect(!harness.exists("dave/svc.top") && !harness.exists("dave/svc.use"), "both files removed, as HTCondor does")
            let record = try #require(await harness.record("dave", "svc"))
            #expect(record.lastError?.contains("permission denied") == true)
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(2))
            #expect(await harness.record("dave", "svc")?.state == .discarded, "kept in status while the .top is gone")

            // A new .top (the storer ran again): served.
            provider.script(.fetch, .token("second"))
            try harness.writeSeed("dave", "svc", #"{"vault_token": "new"}"#)
            harness.clock.advance(by: 2)  // past the renewal floor of the discarding request
            harness.monitor.requestPass()
            #expect(await harness.waitForRecord("dave", "svc") { $0.state == .valid })
            #expect(accessToken(harness.text("dave/svc.use")) == "second")

            // Discarded again, then condor_credd sweeps the user's directory: the record goes.
            provider.script(.refresh, .fail(.discard(.seedRejected, "permission denied")))
            harness.clock.advance(by: 60)
            #expect(await harness.waitForRecord("dave", "svc") { $0.state == .discarded })
            try FileManager.default.removeItem(atPath: harness.path("dave"))
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(4))
            #expect(await harness.record("dave", "svc") == nil, "forgotten with the user's directory")
        }
    }

    @Test("A pass that finds a valid credential's .use gone waits the removal settle delay before issuing again")
    func vanishedUseFoundByPass() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider])
        try harness.writeSeed("erin", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("erin", "svc") { $0.state == .valid })
            #expect(provider.calls("erin", "svc") == 1)
            harness.clock.advance(by: 5)  // past the renewal floor, so that only the settle delay can hold it
            try FileManager.default.removeItem(atPath: harness.path("erin/svc.use"))
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(2))
            #expect(provider.calls("erin", "svc") == 1, "condor_credd may be sweeping the directory: not re-issued at once")
            #expect(await harness.record("erin", "svc")?.dueAt == harness.start.addingTimeInterval(5 + harness.configuration.removalSettleDelay))
            harness.clock.advance(by: harness.configuration.removalSettleDelay)
            #expect(await harness.waitForRecord("erin", "svc") { $0.lastRenewal != harness.start })
            #expect(provider.calls("erin", "svc") == 2)
            #expect(harness.exists("erin/svc.use"))
        }
    }

    @Test("A terminal error stops the calls until the .top changes")
    func terminalUntilSeedChanges() async throws {
        let provider = ScriptedProvider(name: "svc")
        provider.fail("carol", with: .terminal(.server("invalid_grant"), "the refresh token was revoked; log in again"))
        let harness = try MonitorHarness(providers: [provider])
        try harness.writeSeed("carol", "svc", #"{"refresh_token": "revoked"}"#)
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("carol", "svc") { $0.state == .terminal })
            let record = try #require(await harness.record("carol", "svc"))
            #expect(record.dueAt == nil)
            #expect(record.lastError?.contains("invalid_grant") == true)
            #expect(provider.calls("carol", "svc") == 1)

            // Neither time nor passes bring it back.
            harness.clock.advance(by: 10_000)
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(2))
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(3))
            #expect(provider.calls("carol", "svc") == 1)
            #expect(await harness.record("carol", "svc")?.state == .terminal)
            #expect(!harness.exists("carol/svc.use"))

            // A new .top (the user logged in again): retried.
            provider.fail("carol", with: nil)
            try harness.writeSeed("carol", "svc", #"{"refresh_token": "fresh-after-login"}"#)
            harness.monitor.requestPass()
            #expect(await harness.waitForRecord("carol", "svc") { $0.state == .valid })
            #expect(provider.calls("carol", "svc") == 2)
            #expect(accessToken(harness.text("carol/svc.use")) == "tok-2")
        }
    }

    @Test("A handle on a provider that refuses handles is refused; a service without a provider is left alone")
    func refusedAndUnowned() async throws {
        let svc = ScriptedProvider(name: "svc", allowsHandles: false)
        let box = ScriptedProvider(name: "box", allowsHandles: true)
        let harness = try MonitorHarness(providers: [svc, box])
        try harness.writeSeed("alice", "svc")
        try harness.writeSeed("alice", "svc_work")
        try harness.writeSeed("alice", "box_work", #"{"refresh_token": "rt"}"#)
        try harness.writeSeed("alice", "other", #"{"refresh_token": "rt"}"#)
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            #expect(await harness.waitForRecord("alice", "box_work") { $0.state == .valid })
            #expect(harness.exists("alice/box_work.use"), "handles work where the provider allows them")

            let refused = try #require(await harness.record("alice", "svc_work"))
            #expect(refused.state == .refused)
            #expect(refused.provider == "svc")
            #expect(refused.lastError?.contains("handle") == true, "\(String(describing: refused.lastError))")
            #expect(!harness.exists("alice/svc_work.use"))
            #expect(svc.calls("alice", "svc_work") == 0)

            let unowned = try #require(await harness.record("alice", "other"))
            #expect(unowned.state == .unowned)
            #expect(unowned.provider == nil)
            #expect(!harness.exists("alice/other.use"))

            // Later passes leave them as they are.
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(2))
            #expect(svc.totalCalls == 1)
            #expect(box.totalCalls == 1)
            #expect(!harness.exists("alice/svc_work.use"))
            #expect(!harness.exists("alice/other.use"))
        }
    }

    @Test("A .top written while running is picked up through inotify, without a pass")
    func inotifyPickup() async throws {
        let svc = ScriptedProvider(name: "svc")
        let box = ScriptedProvider(name: "box", allowsHandles: true)
        let harness = try MonitorHarness(providers: [svc, box])
        try harness.writeSeed("alice", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })

            // A new token for a known user, and a new user.
            try harness.writeSeed("alice", "box", #"{"refresh_token": "rt"}"#)
            try harness.writeSeed("erin", "svc")
            #expect(await eventually { harness.exists("alice/box.use") && harness.exists("erin/svc.use") })
            #expect(await harness.waitForRecord("alice", "box") { $0.state == .valid })
            #expect(await harness.waitForRecord("erin", "svc") { $0.state == .valid })
            #expect(harness.passes == 1, "picked up without a full pass")
            #expect(Files.mode(harness.path("erin/svc.use")) == 0o400)
            #expect(box.calls("alice", "box") == 1)
            #expect(svc.calls("erin", "svc") == 1)
            #expect(svc.calls("alice", "svc") == 1, "our own .use writes do not trigger renewals")
        }
    }

    @Test("A removed .top drops the credential")
    func removedCredential() async throws {
        let harness = try MonitorHarness(providers: [ScriptedProvider(name: "svc")])
        try harness.writeSeed("alice", "svc")
        try harness.writeSeed("bob", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            try FileManager.default.removeItem(atPath: harness.path("alice/svc.top"))
            #expect(await eventually { await harness.record("alice", "svc") == nil })
            #expect(await harness.record("bob", "svc")?.state == .valid)
        }
    }

    @Test("A still-valid .use found at start is kept and scheduled from its claims")
    func existingAccessTokenKept() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider])
        try harness.writeSeed("alice", "svc")
        let issued = Int(harness.start.timeIntervalSince1970) - 100
        let jwt = FakeJWT.token(claims: #"{"iat":\#(issued),"exp":\#(issued + 1000)}"#)
        try Data(#"{"access_token":"\#(jwt)","expires_in":1000}"#.utf8).write(to: URL(fileURLWithPath: harness.path("alice/svc.use")))
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            let record = try #require(await harness.record("alice", "svc"))
            #expect(record.state == .valid)
            #expect(record.dueAt == Date(timeIntervalSince1970: Double(issued + 500)))
            #expect(provider.totalCalls == 0)
            #expect(accessToken(harness.text("alice/svc.use")) == jwt)
            // Due 400 s after start.
            harness.clock.advance(by: 401)
            #expect(await eventually { provider.totalCalls == 1 })
            #expect(provider.callKinds == ["refresh"])
        }
    }

    @Test("Temporary files left by an earlier run are removed at start")
    func orphansRemovedAtStart() async throws {
        let harness = try MonitorHarness(providers: [ScriptedProvider(name: "svc")])
        try harness.writeSeed("alice", "svc")
        try Data("partial".utf8).write(to: URL(fileURLWithPath: harness.path("alice/.credmon-tmp.svc.use.x1y2")))
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            #expect(!harness.exists("alice/.credmon-tmp.svc.use.x1y2"))
            #expect(harness.exists("alice/svc.top"))
        }
    }

    @Test("requestStop() makes run() return, leaving no temporary files")
    func requestStopReturns() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider])
        for user in ["alice", "bob", "carol"] { try harness.writeSeed(user, "svc") }
        harness.startMonitor()
        #expect(await harness.waitForPasses(1))
        #expect(await harness.waitForRecord("carol", "svc") { $0.state == .valid })
        let stoppedWithoutClock = await harness.stop(graceWithoutClock: .seconds(5))
        #expect(stoppedWithoutClock, "run() should return after requestStop() without the manual clock having to move (it did return once the clock was advanced: a ManualWallClock sleep is not cancelled)")
        #expect(harness.hasFinished)
        #expect(harness.temporaryFiles().isEmpty, "\(harness.temporaryFiles())")
        for user in ["alice", "bob", "carol"] {
            #expect(accessToken(harness.text("\(user)/svc.use")) != nil)
        }
    }

    @Test("Stopping while credentials are being renewed leaves only whole files")
    func stopDuringWork() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider])
        for index in 0..<40 { try harness.writeSeed("user\(index)", "svc") }
        harness.startMonitor()
        #expect(await eventually { provider.totalCalls > 0 })
        await harness.stop()
        #expect(harness.hasFinished)
        #expect(harness.temporaryFiles().isEmpty, "\(harness.temporaryFiles())")
        for index in 0..<40 where harness.exists("user\(index)/svc.use") {
            #expect(accessToken(harness.text("user\(index)/svc.use"))?.hasPrefix("tok-") == true)
        }
    }
}
