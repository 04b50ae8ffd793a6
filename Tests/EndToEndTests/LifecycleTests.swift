import Foundation
import Glibc
import Testing

/// Renewal, SIGHUP and the stop signals, with the real binary and real signals.
@Suite("Daemon lifecycle: renewal, SIGHUP, SIGTERM/SIGINT/SIGQUIT")
struct LifecycleTests {
    @Test("a token is renewed after renew_fraction of its lifetime, before it expires")
    func renewsAtFraction() throws {
        let daemon = try DaemonProcess(label: "renew", fragments: ["scitokens.yaml": Fragments.local(lifetime: 6, renewFraction: 0.5)])
        defer { daemon.cleanUp() }
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice")
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil })
        let first = try #require(daemon.credd.read("alice", "scitokens.use"))
        let firstClaims = try #require(UseFile.claims(first))
        let issued = try #require(firstClaims["iat"] as? Double)
        #expect(eventually(timeout: 8) { daemon.credd.read("alice", "scitokens.use") != first }, "not renewed; log:\n\(daemon.log)")
        let renewedAt = Date().timeIntervalSince1970
        let second = try #require(UseFile.claims(daemon.credd.read("alice", "scitokens.use") ?? ""))
        #expect(second["jti"] as? String != firstClaims["jti"] as? String)
        // Renewed at about half the lifetime (3 s after iat, which is whole seconds), and before expiry (6 s).
        #expect(renewedAt - issued >= 2.0, "renewed too early: \(renewedAt - issued) s after iat")
        #expect(renewedAt - issued < 5.9, "renewed too late: \(renewedAt - issued) s after iat")
    }

    @Test("SIGHUP reloads changed fragments and re-issues tokens; a burst of SIGHUPs is coalesced")
    func hangupReloads() throws {
        let daemon = try DaemonProcess(label: "hup", fragments: ["scitokens.yaml": Fragments.local(scopes: "read:/user/{username}")])
        defer { daemon.cleanUp() }
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice")
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil })
        let before = try #require(UseFile.claims(daemon.credd.read("alice", "scitokens.use") ?? ""))
        #expect(before["scope"] as? String == "read:/user/alice")

        try Fragments.local(scopes: "read:/data/{username}").write(
            to: daemon.providersDirectory.appendingPathComponent("scitokens.yaml"), atomically: true, encoding: .utf8)
        for _ in 0..<50 { daemon.send(SIGHUP) }
        #expect(eventually(timeout: 10) {
            UseFile.claims(daemon.credd.read("alice", "scitokens.use") ?? "")?["scope"] as? String == "read:/data/alice"
        }, "not re-issued after SIGHUP; log:\n\(daemon.log)")
        Thread.sleep(forTimeInterval: 0.3)
        #expect(kill(daemon.pid, 0) == 0, "daemon died after a SIGHUP burst")
        let reloads = daemon.log.components(separatedBy: "Providers reloaded").count - 1
        #expect(reloads >= 1 && reloads < 50, "\(reloads) reloads for 50 signals: not coalesced")
    }

    @Test("a SIGHUP as soon as the pid file exists (as credd may send it) does not kill the daemon")
    func hangupRightAfterStart() throws {
        for _ in 0..<5 {
            let daemon = try DaemonProcess(label: "earlyhup", fragments: ["scitokens.yaml": Fragments.local()])
            defer { daemon.cleanUp() }
            try daemon.start()
            daemon.send(SIGHUP)
            Thread.sleep(forTimeInterval: 0.2)
            #expect(kill(daemon.pid, 0) == 0, "the daemon died of an early SIGHUP; log:\n\(daemon.log)")
        }
    }

    @Test("a bad fragment sent with SIGHUP keeps the last good provider serving", .timeLimit(.minutes(1)))
    func badReloadKeepsServing() throws {
        let daemon = try DaemonProcess(label: "badhup", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.start()
        try "name: scitokens\nkind: local-scitoken\nlifetme: 5\n".write(
            to: daemon.providersDirectory.appendingPathComponent("scitokens.yaml"), atomically: true, encoding: .utf8)
        daemon.send(SIGHUP)
        #expect(eventually(timeout: 10) { daemon.log.contains("lifetme") }, "the reload error was not logged; log:\n\(daemon.log)")
        #expect(daemon.log.contains("did you mean 'lifetime'"))
        try daemon.credd.storeLocalCredential(user: "carol")
        #expect(eventually(timeout: 10) { daemon.credd.read("carol", "scitokens.use") != nil }, "stopped serving; log:\n\(daemon.log)")
    }

    @Test("SIGTERM, SIGINT and SIGQUIT stop the daemon with status 0, leaving no temporary files",
          arguments: [SIGTERM, SIGINT, SIGQUIT])
    func stopsCleanly(_ signal: Int32) throws {
        let daemon = try DaemonProcess(label: "stop", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.start()
        for index in 0..<200 { try daemon.credd.storeLocalCredential(user: "user\(index)") }
        Thread.sleep(forTimeInterval: 0.05)
        daemon.send(signal)
        let status = daemon.waitForExit(timeout: 10)
        #expect(status == 0, "exit status \(String(describing: status)); log:\n\(daemon.log)")
        #expect(!FileManager.default.fileExists(atPath: daemon.credentialDirectory.appendingPathComponent("pid").path))
        let leftovers = FileManager.default.enumerator(atPath: daemon.credentialDirectory.path)?
            .compactMap { $0 as? String }.filter { $0.contains(".credmon-tmp.") } ?? []
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
        #expect(daemon.log.contains("Stopped"))
    }

    @Test("the pid file holds the daemon's pid (decimal, no newline) and CREDMON_COMPLETE is recreated after a pass")
    func pidAndCompleteMarker() throws {
        let daemon = try DaemonProcess(label: "pid", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        let marker = daemon.credentialDirectory.appendingPathComponent("CREDMON_COMPLETE")
        try Data().write(to: marker)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000)], ofItemAtPath: marker.path)
        try daemon.start()
        let pid = try String(contentsOf: daemon.credentialDirectory.appendingPathComponent("pid"), encoding: .utf8)
        #expect(pid == "\(daemon.pid)")
        #expect(eventually(timeout: 10) {
            ((try? FileManager.default.attributesOfItem(atPath: marker.path)[.modificationDate] as? Date) ?? .distantPast)
                .timeIntervalSinceNow > -60
        })
    }
}
