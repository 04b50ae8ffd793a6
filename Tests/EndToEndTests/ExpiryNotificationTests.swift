import Foundation
import Glibc
import OAuthTestServer
import Testing

/// Issue 12, expiry of long-lived credentials, with the real binary against the OAuth test server: the estimated
/// expiry (`refresh_expires_in`, a JWT refresh token's `exp`), the notification command (once per threshold, across a
/// SIGHUP and a restart; `revoked` once, `ok` after a new login; an environment without secrets), and the metrics.
@Suite("Expiry of long-lived credentials: notifications, status and metrics", .timeLimit(.minutes(3)))
struct ExpiryNotificationTests {
    static let client = OAuthServer.Client.default
    static let hour = 3600
    static let day = 86400

    /// A server whose refresh tokens live `refreshLifetime` seconds and whose answers say so (`refresh_expires_in`, as
    /// Keycloak's do).
    static func keycloak(refreshLifetime: Int) -> OAuthServer.Configuration {
        var configuration = OAuthServer.Configuration(refreshTokenLifetime: refreshLifetime)
        configuration.includeRefreshExpiresIn = true
        return configuration
    }

    /// A fresh grant of `server` stored the way a login leaves it without an access token: the `.meta` (client, token
    /// URL), then the `.top` as condor_credd stores it. The daemon refreshes at once to write the `.use`, so the
    /// expiry comes from the token answer.
    @discardableResult
    func storeSeed(_ daemon: DaemonProcess, _ server: OAuthServer, user: String, token: String = "issuer",
                   client: OAuthServer.Client = ExpiryNotificationTests.client, withMeta: Bool = true) throws -> (refresh: String, access: String) {
        let grant = server.issueGrant(clientID: client.id, scope: "read:/data", subject: user)
        let directory = daemon.credd.userDirectory(user)
        if !FileManager.default.fileExists(atPath: directory.path) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        }
        if withMeta {
            let meta = #"{"client_id": "\#(client.id)", "client_secret": "\#(client.secret)", "token_url": "\#(server.url("/token").absoluteString)", "use_refresh_token": true}"#
            let temporary = directory.appendingPathComponent(".meta-\(UUID().uuidString.prefix(8))")
            try Data(meta.utf8).write(to: temporary)
            chmod(temporary.path, 0o400)
            guard rename(temporary.path, directory.appendingPathComponent("\(token).meta").path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        }
        try daemon.credd.store(user: user, token: token, content: Data(#"{"refresh_token": "\#(grant.refreshToken)", "scopes": "read:/data"}"#.utf8))
        return (grant.refreshToken, grant.accessToken)
    }

    /// A login as the web app writes it: `.use` (valid for an hour), `.top`, `.meta`.
    @discardableResult
    func login(_ daemon: DaemonProcess, _ server: OAuthServer, user: String, token: String = "issuer") throws -> (refresh: String, access: String) {
        let grant = server.issueGrant(clientID: Self.client.id, scope: "read:/data", subject: user)
        try WebLoginEmulator(credentialDirectory: daemon.credentialDirectory).store(
            user: user, token: token, refreshToken: grant.refreshToken, accessToken: grant.accessToken, expiresIn: 3600,
            clientID: Self.client.id, clientSecret: Self.client.secret, tokenURL: server.url("/token").absoluteString)
        return (grant.refreshToken, grant.accessToken)
    }

    /// The refresh token in `<user>/<token>.top`.
    func refreshToken(_ daemon: DaemonProcess, _ user: String, _ token: String = "issuer") -> String? {
        daemon.jsonFile(user, "\(token).top")?["refresh_token"] as? String
    }

    /// `credmon status --json` as a whole, or nil.
    func status(_ daemon: DaemonProcess) -> [String: Any]? {
        guard let result = try? daemon.command("status", ["--json"]), result.status == 0 else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    }

    /// Waits for the status entry of `<user>/<token>` to satisfy `condition`; returns the last entry read.
    func waitForStatus(_ daemon: DaemonProcess, _ user: String, _ token: String = "issuer", timeout: TimeInterval = 10,
                       _ condition: ([String: Any]) -> Bool) -> (held: Bool, entry: [String: Any]?) {
        var entry: [String: Any]?
        let held = eventually(timeout: timeout, interval: 0.05) {
            entry = daemon.statusEntry(user, token)
            return entry.map(condition) ?? false
        }
        return (held, entry)
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }

    /// Starts the daemon and waits for its first pass (`CREDMON_COMPLETE`, removed before the pid file appears), so
    /// that what a test writes next is handled through its inotify event, after the first pass, as in production.
    func start(_ daemon: DaemonProcess, extra: [String] = []) throws {
        try daemon.start(extra: extra)
        let complete = daemon.credentialDirectory.appendingPathComponent("CREDMON_COMPLETE").path
        try #require(eventually(timeout: 10) { FileManager.default.fileExists(atPath: complete) }, "no first pass; log:\n\(daemon.log)")
    }

    @Test("a credential 6 days from expiry fires the 7-day warning exactly once, also across a SIGHUP and a restart")
    func sevenDayWarningOnce() throws {
        let server = try OAuthServer(configuration: Self.keycloak(refreshLifetime: 6 * Self.day))
        let soon = try OAuthServer(configuration: Self.keycloak(refreshLifetime: 12 * Self.hour))
        defer { server.stop(); soon.stop() }
        let root = try TestPaths.temporaryDirectory("expiry-notify-script")
        defer { try? FileManager.default.removeItem(at: root) }
        let notify = try NotifyRecorder(in: root)
        let daemon = try DaemonProcess(label: "expiry-once", fragments: ["issuer.yaml": Fragments.oauth(notifyCommand: [notify.script.path])])
        defer { daemon.cleanUp() }
        try start(daemon)
        try storeSeed(daemon, server, user: "alice")
        #expect(eventually(timeout: 10) { daemon.accessToken("alice", "issuer") != nil }, "no .use; log:\n\(daemon.log)")
        #expect(eventually(timeout: 10) { !notify.lines(user: "alice").isEmpty }, "no notification; log:\n\(daemon.log)")
        let first = try #require(notify.lines(user: "alice").first)
        #expect(first.state == "expiring" && first.service == "issuer", "\(first)")
        let notified = try #require(first.expiresAt, "CREDMON_EXPIRES_AT empty: \(first)")

        // The same date in status --json, at the server (the refresh token the .top holds now) and ≈ 6 days from now.
        let (expiring, entry) = waitForStatus(daemon, "alice") { $0["credentialState"] as? String == "expiring" }
        #expect(expiring, "status: \(String(describing: entry))")
        let reported = try #require(entry?["credentialExpiresAt"] as? Int, "status: \(String(describing: entry))")
        #expect(entry?["credentialExpirySource"] as? String == "refresh_expires_in", "status: \(String(describing: entry))")
        let current = try #require(refreshToken(daemon, "alice"))
        let atServer = Int(try #require(server.refreshTokenExpiry(current)).timeIntervalSince1970.rounded())
        #expect(abs(notified - reported) <= 1 && abs(notified - atServer) <= 1, "notified \(notified), status \(reported), server \(atServer)")
        #expect(abs(notified - (Self.now() + 6 * Self.day)) <= 30, "notified \(notified), now \(Self.now())")

        // A deep pass (SIGHUP) sends nothing more.
        #expect(daemon.completePass(), "no pass after SIGHUP; log:\n\(daemon.log)")
        #expect(notify.lines(user: "alice").count == 1, "\(notify.lines)")

        // A restart with the same state directory repeats nothing: once the first pass has seen alice again, a second
        // credential (12 hours left: the 1-day threshold) is stored; notifications are sent one after another, in the
        // order they were decided, so when its notification has arrived a repeat for alice would have arrived before.
        daemon.send(SIGTERM)
        #expect(daemon.waitForExit() == 0, "log:\n\(daemon.log)")
        try start(daemon)
        try storeSeed(daemon, soon, user: "bob")
        #expect(eventually(timeout: 10) { !notify.lines(user: "bob").isEmpty }, "no notification for bob; log:\n\(daemon.log)")
        let second = try #require(notify.lines(user: "bob").first)
        #expect(second.state == "expiring" && second.service == "issuer", "\(second)")
        let bobCurrent = try #require(refreshToken(daemon, "bob"))
        let bobAtServer = Int(try #require(soon.refreshTokenExpiry(bobCurrent)).timeIntervalSince1970.rounded())
        #expect(second.expiresAt.map { abs($0 - bobAtServer) <= 1 } == true, "bob notified \(second), server \(bobAtServer)")
        #expect(second.expiresAt.map { abs($0 - (Self.now() + 12 * Self.hour)) <= 30 } == true, "bob notified \(second), now \(Self.now())")

        // status.json written by the restarted daemon, after the pass that saw alice: both expiring.
        var both: [String: Any]?
        let bothExpiring = eventually(timeout: 10, interval: 0.05) {
            both = status(daemon)
            guard let both, both["pid"] as? Int == Int(daemon.pid), let credentials = both["credentials"] as? [[String: Any]] else { return false }
            let states = Dictionary(credentials.map { ($0["user"] as? String ?? "", $0["credentialState"] as? String ?? "") }) { a, _ in a }
            return states["alice"] == "expiring" && states["bob"] == "expiring"
        }
        #expect(bothExpiring, "status: \(String(describing: both))")
        #expect(notify.lines(user: "alice") == [first], "alice notified again: \(notify.lines)\nlog:\n\(daemon.log)")
        #expect(notify.lines.count == 2, "\(notify.lines)")
        #expect(daemon.logCount("INFO Notified") == 2, "log:\n\(daemon.log)")
    }

    @Test("JWT refresh tokens: the expiry is the token's exp to the second, also after a rotation")
    func jwtRefreshTokenExpiry() throws {
        var configuration = OAuthServer.Configuration(refreshTokenLifetime: 30 * Self.day)
        configuration.refreshTokenFormat = .jwt
        let server = try OAuthServer(configuration: configuration)
        defer { server.stop() }
        let daemon = try DaemonProcess(label: "expiry-jwt", fragments: ["issuer.yaml": Fragments.oauth()])
        defer { daemon.cleanUp() }
        let seeded = try login(daemon, server, user: "carol")
        try start(daemon)

        func jwtExp(_ token: String) -> Int? { UseFile.claims(token)?["exp"] as? Int }
        let loginExp = try #require(jwtExp(seeded.refresh), "not a JWT: \(seeded.refresh)")
        let (fromTop, entry) = waitForStatus(daemon, "carol") {
            $0["credentialExpirySource"] as? String == "refresh_token_exp" && $0["credentialExpiresAt"] as? Int == loginExp
        }
        #expect(fromTop, "exp \(loginExp); status: \(String(describing: entry))\nlog:\n\(daemon.log)")
        #expect(entry?["credentialState"] as? String == "ok", "status: \(String(describing: entry))")

        // A refresh (the .use removed) rotates the refresh token: the expiry is the new token's exp, from the answer.
        try FileManager.default.removeItem(atPath: daemon.credd.path("carol", "issuer.use"))
        #expect(eventually(timeout: 10) { refreshToken(daemon, "carol").map { $0 != seeded.refresh } ?? false },
                "no rotation; log:\n\(daemon.log)")
        let rotated = try #require(refreshToken(daemon, "carol"))
        let rotatedExp = try #require(jwtExp(rotated), "not a JWT: \(rotated)")
        #expect(rotatedExp == Int(try #require(server.refreshTokenExpiry(rotated)).timeIntervalSince1970.rounded()))
        let (fromAnswer, after) = waitForStatus(daemon, "carol") {
            $0["credentialExpirySource"] as? String == "refresh_token_exp" && $0["credentialExpiresAt"] as? Int == rotatedExp
        }
        #expect(fromAnswer, "exp \(rotatedExp) (login's \(loginExp)); status: \(String(describing: after))\nlog:\n\(daemon.log)")
    }

    @Test("a revoked grant fires `revoked` once; a new login then fires `ok` once")
    func revokedOnce() throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let root = try TestPaths.temporaryDirectory("expiry-revoked-script")
        defer { try? FileManager.default.removeItem(at: root) }
        let notify = try NotifyRecorder(in: root)
        let daemon = try DaemonProcess(label: "expiry-revoked", fragments: ["issuer.yaml": Fragments.oauth(notifyCommand: [notify.script.path])])
        defer { daemon.cleanUp() }
        let seeded = try login(daemon, server, user: "dave")
        try start(daemon)
        let (inOrder, entry) = waitForStatus(daemon, "dave") { $0["credentialState"] as? String == "ok" }
        #expect(inOrder, "status: \(String(describing: entry))\nlog:\n\(daemon.log)")

        // The user withdraws consent at the provider; the next refresh (forced: the .use removed) is invalid_grant.
        let grant = try #require(server.grant(forRefreshToken: seeded.refresh))
        server.revokeGrant(grant.id)
        try FileManager.default.removeItem(atPath: daemon.credd.path("dave", "issuer.use"))
        #expect(eventually(timeout: 10) { !notify.lines(user: "dave").isEmpty }, "no notification; log:\n\(daemon.log)")
        #expect(notify.lines.map(\.state) == ["revoked"], "\(notify.lines)")
        let (revoked, after) = waitForStatus(daemon, "dave") { $0["credentialState"] as? String == "revoked" }
        #expect(revoked, "status: \(String(describing: after))\nlog:\n\(daemon.log)")
        #expect(daemon.completePass(), "no pass after SIGHUP; log:\n\(daemon.log)")
        #expect(notify.lines.map(\.state) == ["revoked"], "\(notify.lines)")
        #expect(daemon.logCount("Credential revoked") == 1, "log:\n\(daemon.log)")

        // A new login (a new grant in a new .top): in order again, said once.
        try login(daemon, server, user: "dave")
        #expect(eventually(timeout: 10) { notify.lines.count >= 2 }, "no second notification; log:\n\(daemon.log)")
        #expect(notify.lines.map(\.state) == ["revoked", "ok"], "\(notify.lines)")
        let (okAgain, last) = waitForStatus(daemon, "dave") { $0["credentialState"] as? String == "ok" }
        #expect(okAgain, "status: \(String(describing: last))")
        #expect(daemon.completePass(), "no pass after SIGHUP; log:\n\(daemon.log)")

        // Revoked once more: that notification is decided after the pass, so an `ok` repeated by the pass would come first.
        let current = try #require(refreshToken(daemon, "dave"))
        let again = try #require(server.grant(forRefreshToken: current))
        server.revokeGrant(again.id)
        try FileManager.default.removeItem(atPath: daemon.credd.path("dave", "issuer.use"))
        #expect(eventually(timeout: 10) { notify.lines.count >= 3 }, "no third notification; log:\n\(daemon.log)")
        #expect(notify.lines.map(\.state) == ["revoked", "ok", "revoked"], "\(notify.lines)")
        #expect(daemon.logCount("Credential revoked") == 2, "log:\n\(daemon.log)")
    }

    @Test("the notification command's environment carries no secret, only PATH and the CREDMON_* variables")
    func environmentWithoutSecrets() throws {
        let client = OAuthServer.Client(id: "expiry-client", secret: "secret-\(UUID().uuidString)")
        var configuration = Self.keycloak(refreshLifetime: 6 * Self.day)
        configuration.clients = [client]
        let server = try OAuthServer(configuration: configuration)
        defer { server.stop() }
        let root = try TestPaths.temporaryDirectory("expiry-env-script")
        defer { try? FileManager.default.removeItem(at: root) }
        let notify = try NotifyRecorder(in: root)
        // The client comes from the fragment, its secret from a file (0600).
        let secretFile = root.appendingPathComponent("client-secret")
        try Data((client.secret + "\n").utf8).write(to: secretFile)
        chmod(secretFile.path, 0o600)
        let daemon = try DaemonProcess(label: "expiry-env", fragments: ["issuer.yaml": Fragments.oauth(extra: """
            client_id: \(client.id)
            client_secret_file: \(secretFile.path)
            token_url: \(server.url("/token").absoluteString)
            """)])
        defer { daemon.cleanUp() }
        try start(daemon, extra: ["--notify-command", notify.script.path])
        let seeded = try storeSeed(daemon, server, user: "erin", client: client, withMeta: false)
        #expect(eventually(timeout: 10) { !notify.lines(user: "erin").isEmpty }, "no notification; log:\n\(daemon.log)")
        let environments = notify.environments
        try #require(environments.count == 1, "\(environments.count) dumps for \(notify.lines)")
        var environment = environments[0]
        // What /bin/sh itself exports (the daemon passes none of them).
        for name in ["PWD", "SHLVL", "_"] { environment[name] = nil }
        let expected: Set = ["PATH", "CREDMON_USER", "CREDMON_SERVICE", "CREDMON_STATE", "CREDMON_EXPIRES_AT", "CREDMON_LOGIN_HINT"]
        #expect(Set(environment.keys) == expected, "\(environment.keys.sorted())")
        #expect(environment["CREDMON_USER"] == "erin" && environment["CREDMON_SERVICE"] == "issuer")
        #expect(environment["CREDMON_STATE"] == "expiring")
        #expect(environment["CREDMON_EXPIRES_AT"].flatMap { Int($0) } != nil, "\(environment)")
        #expect(environment["PATH"]?.isEmpty == false)
        #expect(environment["CREDMON_LOGIN_HINT"]?.contains("condor_store_cred delete-oauth -s issuer") == true, "\(environment)")

        let grant = try #require(server.grant(forRefreshToken: seeded.refresh))
        let secrets = grant.refreshTokens + grant.accessTokens + [client.secret] + [daemon.accessToken("erin", "issuer") ?? ""]
        #expect(grant.refreshTokens.count >= 2 && grant.accessTokens.count >= 2, "not refreshed: \(grant)")
        for secret in secrets where !secret.isEmpty {
            let leaks = environment.filter { $0.value.contains(secret) }.map(\.key)
            #expect(leaks.isEmpty, "a secret (\(secret.prefix(6))…) in \(leaks)")
        }
        #expect(!daemon.log.contains(client.secret), "the client secret is in the log")
    }

    @Test("the metrics endpoint shows the same: one expiring credential, its seconds left")
    func metricsAgree() throws {
        let server = try OAuthServer(configuration: Self.keycloak(refreshLifetime: 6 * Self.day))
        defer { server.stop() }
        let daemon = try DaemonProcess(label: "expiry-metrics", fragments: ["issuer.yaml": Fragments.oauth()])
        defer { daemon.cleanUp() }
        let port = try LoopbackHTTP.freePort()
        try start(daemon, extra: ["--metrics-listen", "127.0.0.1:\(port)"])
        try storeSeed(daemon, server, user: "frank")
        let (expiring, entry) = waitForStatus(daemon, "frank") { $0["credentialState"] as? String == "expiring" }
        #expect(expiring, "status: \(String(describing: entry))\nlog:\n\(daemon.log)")
        let expiresAt = try #require(entry?["credentialExpiresAt"] as? Int, "status: \(String(describing: entry))")

        // The gauges are set at the end of a full pass (just after CREDMON_COMPLETE is touched): scrape until they are.
        #expect(daemon.completePass(), "no pass after SIGHUP; log:\n\(daemon.log)")
        let states = ["ok", "expiring", "expired", "revoked"]
        var scraped = Exposition("")
        let shown = eventually(timeout: 10, interval: 0.1) {
            guard let answer = try? LoopbackHTTP.get(port: port, path: "/metrics"), answer.status == 200 else { return false }
            scraped = Exposition(answer.body)
            return scraped.value("credmon_long_lived_credentials", ["provider": "issuer", "state": "expiring"]) == 1
                && states.allSatisfy { scraped.value("credmon_long_lived_credentials", ["provider": "issuer", "state": $0]) != nil }
                && scraped.value("credmon_credential_expiry_seconds", ["provider": "issuer"]) != nil
        }
        #expect(shown, "scraped:\n\(scraped.samples)\nlog:\n\(daemon.log)")
        for state in ["ok", "expired", "revoked"] {
            #expect(scraped.value("credmon_long_lived_credentials", ["provider": "issuer", "state": state]) == 0, "\(state): \(scraped.samples)")
        }
        let seconds = try #require(scraped.value("credmon_credential_expiry_seconds", ["provider": "issuer"]), "\(scraped.samples)")
        let left = Double(expiresAt) - Date().timeIntervalSince1970
        #expect(abs(seconds - left) <= 5, "gauge \(seconds), status says \(left) left")
    }
}
