import Foundation
import Glibc
import OAuthTestServer
import Testing

/// `kind: client-credentials` (HTCondor's CLIENT_CREDMON, contract §C.3) with the real daemon against the loopback
/// authorization server: condor_credd's placeholder `.top` in, one client-credentials token per user out.
@Suite("Client-credentials tokens against a loopback authorization server")
struct ClientCredentialsEndToEndTests {
    static let client = OAuthServer.Client.default

    /// A daemon with one `kind: client-credentials` fragment named `robot`, its client secret in a 0600 file.
    func makeDaemon(_ label: String, server: OAuthServer, secret: String = Self.client.secret, extra: String = "") throws -> DaemonProcess {
        let daemon = try DaemonProcess(label: label, fragments: [:])
        let secretFile = daemon.root.appendingPathComponent("robot.secret")
        try "\(secret)\n".write(to: secretFile, atomically: true, encoding: .utf8)
        chmod(secretFile.path, 0o600)
        try """
            name: robot
            kind: client-credentials
            token_url: \(server.url("/token").absoluteString)
            client_id: \(Self.client.id)
            client_secret_file: \(secretFile.path)
            timeout: 5
            \(extra)
            """.write(to: daemon.providersDirectory.appendingPathComponent("robot.yaml"), atomically: true, encoding: .utf8)
        return daemon
    }

    @Test("credd's placeholder .top for two users: each gets a 0400 {access_token, expires_in} .use the server issued for condor.user:<user>; renewed at half the lifetime")
    func issueAndRenew() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 6))
        defer { server.stop() }
        let daemon = try makeDaemon("cc-issue", server: server)
        defer { daemon.cleanUp() }
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice", token: "robot")
        try daemon.credd.storeLocalCredential(user: "bob", token: "robot")
        #expect(eventually(timeout: 10) { daemon.accessToken("alice", "robot") != nil && daemon.accessToken("bob", "robot") != nil },
                "no .use; log:\n\(daemon.log)")
        var first: [String: String] = [:]
        for user in ["alice", "bob"] {
            let use = try #require(daemon.jsonFile(user, "robot.use"))
            #expect(Set(use.keys) == ["access_token", "expires_in"], "HTCondor's local/client .use shape: \(use)")
            #expect(use["expires_in"] as? Int == 6)
            #expect(daemon.credd.mode(user, "robot.use") == 0o400)
            let token = try #require(use["access_token"] as? String)
            let issued = try #require(server.issuedAccessToken(token), "the server never issued \(token)")
            #expect(issued.clientID == Self.client.id)
            let scope = issued.scope.split(separator: " ").map(String.init)
            #expect(scope.contains("condor.user:\(user)") && scope.contains("read:/user/\(user)") && scope.contains("write:/user/\(user)"),
                    "scope \(issued.scope)")
            #expect(daemon.credd.read(user, "robot.top") == "\(user)@foo", "the placeholder is never rewritten")
            first[user] = token
        }
        let requests = server.requests(to: "/token")
        #expect(requests.count == 2)
        #expect(requests.allSatisfy {
            $0.formFields["grant_type"] == "client_credentials" && $0.clientAuthentication == .post && $0.formFields["scopes"] == nil
        }, "scope, not the reference's scopes; the secret in the body")

        // Renewal: a new fetch once half of the 6 s lifetime has passed, for each user.
        #expect(eventually(timeout: 15) {
            first.allSatisfy { user, token in daemon.accessToken(user, "robot").map { $0 != token } ?? false }
        }, "not renewed; log:\n\(daemon.log)")
        let fetches = server.requests(to: "/token")
        for user in ["alice", "bob"] {
            let times = fetches.filter { $0.formFields["scope"]?.contains("condor.user:\(user)") == true }.map(\.receivedAt)
            try #require(times.count >= 2, "\(user): \(times)")
            let gap = times[1].timeIntervalSince(times[0])
            #expect(gap > 2 && gap < 5.5, "\(user): renewed \(gap) s after the first fetch; half of 6 s expected")
            let renewed = try #require(daemon.accessToken(user, "robot"))
            #expect(server.issuedAccessToken(renewed)?.scope.contains("condor.user:\(user)") == true)
        }
        #expect(daemon.statusEntry("alice", "robot")?["state"] as? String == "valid")
        #expect(!daemon.log.contains(Self.client.secret), "the client secret reached the log")
    }

    @Test("an answer without expires_in: lifetime_fallback is the .use's expires_in")
    func lifetimeFallback() throws {
        let server = try OAuthServer(configuration: .init(clientCredentialsOmitsExpiresIn: true))
        defer { server.stop() }
        let daemon = try makeDaemon("cc-fallback", server: server, extra: "lifetime_fallback: 321")
        defer { daemon.cleanUp() }
        try daemon.credd.storeLocalCredential(user: "carol", token: "robot")
        try daemon.start()
        #expect(eventually(timeout: 10) { daemon.jsonFile("carol", "robot.use") != nil }, "log:\n\(daemon.log)")
        #expect(daemon.jsonFile("carol", "robot.use")?["expires_in"] as? Int == 321)
        #expect(eventually(timeout: 5, interval: 0.2) { daemon.statusEntry("carol", "robot")?["nextDue"] is Double })
        let next = try #require(daemon.statusEntry("carol", "robot")?["nextDue"] as? Double)
        let remaining = next - Date().timeIntervalSince1970
        #expect(remaining > 120 && remaining < 170, "renewal due at half of 321 s, in \(remaining) s")
    }

    @Test("a server that refuses the client: terminal with invalid_client in status, no retry, no .use, no secret in the log")
    func refusedClient() throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let wrong = "wrong-secret-5d1f0c"
        let daemon = try makeDaemon("cc-refused", server: server, secret: wrong)
        defer { daemon.cleanUp() }
        try daemon.credd.storeLocalCredential(user: "dave", token: "robot")
        try daemon.start()
        #expect(eventually(timeout: 10, interval: 0.2) { daemon.statusEntry("dave", "robot")?["state"] as? String == "terminal" }, "log:\n\(daemon.log)")
        let entry = try #require(daemon.statusEntry("dave", "robot"))
        #expect((entry["lastError"] as? String)?.contains("invalid_client") == true, "\(entry)")
        #expect(eventually(timeout: 5) { daemon.log.contains("needs attention") }, "log:\n\(daemon.log)")
        #expect(server.requests(to: "/token").map(\.status) == [401])
        // A full pass later: still one attempt (terminal until the .top changes), one log line.
        #expect(daemon.completePass(), "no pass after SIGHUP")
        #expect(server.requests(to: "/token").count == 1, "a terminal credential was retried")
        #expect(daemon.logCount("needs attention") == 1, "log:\n\(daemon.log)")
        #expect(daemon.credd.read("dave", "robot.use") == nil)
        #expect(!daemon.log.contains(wrong), "the client secret reached the log")
        let shown = try daemon.command("status", ["--json"]).stdout
        #expect(!shown.contains(wrong))
    }

    @Test("a handle .top is refused as condor_credd refuses local-client handles: no request, no .use; the plain service beside it is served")
    func handleRefused() throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let daemon = try makeDaemon("cc-handle", server: server)
        defer { daemon.cleanUp() }
        try daemon.credd.storeLocalCredential(user: "erin", token: "robot_work")
        try daemon.credd.storeLocalCredential(user: "frank", token: "robot")
        try daemon.start()
        #expect(eventually(timeout: 10, interval: 0.2) { daemon.statusEntry("erin", "robot_work")?["state"] as? String == "refused" }, "log:\n\(daemon.log)")
        #expect((daemon.statusEntry("erin", "robot_work")?["lastError"] as? String)?.contains("handles are not supported") == true)
        #expect(eventually(timeout: 10) { daemon.accessToken("frank", "robot") != nil }, "log:\n\(daemon.log)")
        #expect(daemon.log.contains("Refused: this provider does not accept handles"), "log:\n\(daemon.log)")
        // After a full pass (a reload re-examines refusals) still nothing for the handle.
        #expect(daemon.completePass())
        #expect(eventually(timeout: 5, interval: 0.2) { daemon.statusEntry("erin", "robot_work")?["state"] as? String == "refused" })
        #expect(daemon.credd.read("erin", "robot_work.use") == nil)
        #expect(server.requests(to: "/token").allSatisfy { $0.formFields["scope"]?.contains("condor.user:erin") != true },
                "a token was asked for a handle")
        #expect(server.requests(to: "/token").count == 1)
    }
}
