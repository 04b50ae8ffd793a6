import Foundation
import Glibc
import OAuthTestServer
import Testing

/// Issue 12: every global expiry setting is an HTCondor knob, since condor_master starts credmon without arguments.
/// The real binary, started as condor_master does, reads `CREDMON_NOTIFY_COMMAND` (words split on spaces),
/// `CREDMON_EXPIRY_WARNINGS`, `CREDMON_METRICS_TEXTFILE` and `CREDMON_METRICS_PER_USER` through the test
/// condor_config_val, for a knob-only Box service whose refresh tokens live 60 days (the preset's lifetime).
@Suite("Expiry knobs under condor_master", .timeLimit(.minutes(2)))
struct ExpiryKnobTests {
    @Test("a knob-only Box credential 60 days from expiry is `expiring` under a one-year threshold: notified once, labelled by user")
    func knobsDriveNotificationAndMetrics() throws {
        let client = (id: "ap-box", secret: "box-secret-9c1e")
        let server = try OAuthServer(configuration: .init(clients: [OAuthServer.Client(id: client.id, secret: client.secret)]))
        defer { server.stop() }
        let site = try TemporarySite("expiry-knobs")
        let secretFile = site.url.appendingPathComponent("box.secret").path
        _ = FileManager.default.createFile(atPath: secretFile, contents: Data("\(client.secret)\n".utf8), attributes: [.posixPermissions: 0o600])
        let notices = site.url.appendingPathComponent("notices")
        try FileManager.default.createDirectory(at: notices, withIntermediateDirectories: true)
        let script = site.url.appendingPathComponent("notify").path
        // Written aside and renamed: a dump is read only once complete (the environment, then argv[1]).
        try "#!/bin/sh\n/usr/bin/env > \(notices.path)/.$$\necho \"$1\" >> \(notices.path)/.$$\nmv \(notices.path)/.$$ \(notices.path)/$$.env\n"
            .write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let textfile = site.url.appendingPathComponent("credmon.prom").path
        let config = site.url.appendingPathComponent("condor_config").path
        try """
            LOG = /var/log/condor
            use feature : OAUTH
            LOCAL_CREDMON_TOKEN_AUDIENCE = https://storage.example.org
            Box_CLIENT_ID = \(client.id)
            BOX_CLIENT_SECRET_FILE = \(secretFile)
            BOX_TOKEN_URL = \(server.url("/token").absoluteString)
            BOX_AUTHORIZATION_URL = \(server.url("/authorize").absoluteString)
            CREDMON_NOTIFY_COMMAND = \(script) --from-knob
            CREDMON_EXPIRY_WARNINGS = 31536000, 86400
            CREDMON_METRICS_TEXTFILE = \(textfile)
            CREDMON_METRICS_PER_USER = true
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let condor = try CondorHarness(label: "expiry-knobs", fixture: "multi-issuer", configFile: config)
        defer { _ = condor.stopDaemon() }
        let grant = server.issueGrant(clientID: client.id, scope: "read", subject: "alice")
        try KnobFidelityTests().storeWebLogin(condor, user: "alice", token: "Box", refreshToken: grant.refreshToken,
                                              tokenURL: server.url("/token").absoluteString)
        try condor.startDaemon()

        func dumps() -> [[String: String]] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: notices.path)) ?? []).filter { $0.hasSuffix(".env") }
            return names.compactMap { name in
                guard let text = try? String(contentsOfFile: notices.appendingPathComponent(name).path, encoding: .utf8),
                      text.hasSuffix("\n"), text.contains("CREDMON_STATE=") else { return nil }
                var variables: [String: String] = [:]
                let lines = text.split(separator: "\n").map(String.init)
                for line in lines.dropLast() {
                    let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                    if parts.count == 2 { variables[parts[0]] = parts[1] }
                }
                variables["argv1"] = lines.last
                return variables
            }
        }
        #expect(eventually(timeout: 30) { !dumps().isEmpty }, "no notification; log:\n\(condor.log)")
        let notice = try #require(dumps().first)
        #expect(notice["CREDMON_STATE"] == "expiring" && notice["CREDMON_USER"] == "alice" && notice["CREDMON_SERVICE"] == "Box", "\(notice)")
        #expect(notice["argv1"] == "--from-knob", "the knob's words are the argv: \(notice)")
        // Box rotates the refresh token on every refresh and its 60 days start again: counted from the new .top.
        let topModified = try #require(try FileManager.default.attributesOfItem(
            atPath: condor.credentialDirectory.appendingPathComponent("alice/Box.top").path)[.modificationDate] as? Date)
        #expect(try #require(condor.contents("alice/Box.top")).contains(grant.refreshToken) == false, "the refresh token rotated")
        let expected = topModified.timeIntervalSince1970 + 60 * 86_400
        let announced = try #require(notice["CREDMON_EXPIRES_AT"].flatMap(Double.init), "\(notice)")
        #expect(abs(announced - expected) <= 1, "announced \(announced), .top + 60 days \(expected)")
        #expect(notice["CREDMON_LOGIN_HINT"]?.contains("condor_store_cred delete-oauth -s Box") == true, "\(notice)")

        // The textfile, written after every pass, carries the user label (CREDMON_METRICS_PER_USER).
        var exposition = ""
        let labelled = eventually(timeout: 30) {
            exposition = (try? String(contentsOfFile: textfile, encoding: .utf8)) ?? ""
            return exposition.contains("credmon_long_lived_credentials{") && exposition.contains("user=\"alice\"")
                && exposition.split(separator: "\n").contains {
                    $0.hasPrefix("credmon_long_lived_credentials{") && $0.contains("state=\"expiring\"") && $0.split(separator: " ").last.flatMap { Double($0) } == 1
                }
        }
        #expect(labelled, "\(exposition)\nlog:\n\(condor.log)")
        let expiryLine = exposition.split(separator: "\n").first { $0.hasPrefix("credmon_credential_expiry_seconds{") && $0.contains("user=\"alice\"") }
        let seconds = try #require(expiryLine?.split(separator: " ").last.flatMap { Double($0) }, "\(exposition)")
        #expect(abs(seconds - (expected - Date().timeIntervalSince1970)) < 120, "\(seconds)")

        // A pass after the notice: it is not repeated (the textfile is rewritten after each pass).
        func textfileInode() -> Int? { (try? FileManager.default.attributesOfItem(atPath: textfile))?[.systemFileNumber] as? Int }
        let before = textfileInode()
        kill(condor.daemon?.processIdentifier ?? 0, SIGHUP)
        #expect(eventually(timeout: 30) { textfileInode() != before }, "no pass after SIGHUP; log:\n\(condor.log)")
        #expect(dumps().count == 1, "\(dumps())")
        #expect(condor.stopDaemon() == 0)
    }
}
