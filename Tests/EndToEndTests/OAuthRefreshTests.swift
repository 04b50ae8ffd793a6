import Foundation
import Glibc
import OAuthTestServer
import Testing

/// OAuth refresh and revocation with the real daemon against the loopback authorization server.
@Suite("OAuth refresh and revocation against a loopback authorization server")
struct OAuthRefreshTests {
    static let client = OAuthServer.Client.default

    /// A daemon with one `kind: oauth2` fragment taking client and token URL from each credential's `.meta`.
    func makeDaemon(_ label: String, server: OAuthServer, extra: String = "") throws -> DaemonProcess {
        try DaemonProcess(label: label, fragments: ["issuer.yaml": """
            name: issuer
            kind: oauth2
            \(extra)
            """])
    }

    func login(_ daemon: DaemonProcess, _ server: OAuthServer, user: String, token: String = "issuer", expiresIn: Int,
               useRefreshToken: Bool = true) throws -> (refresh: String, access: String) {
        let grant = server.issueGrant(clientID: Self.client.id, scope: "read:/data", subject: user)
        try WebLoginEmulator(credentialDirectory: daemon.credentialDirectory).store(
            user: user, token: token, refreshToken: grant.refreshToken, accessToken: grant.accessToken, expiresIn: expiresIn,
            clientID: Self.client.id, clientSecret: Self.client.secret, tokenURL: server.url("/token").absoluteString,
            useRefreshToken: useRefreshToken)
        return (grant.refreshToken, grant.accessToken)
    }

    func seed(_ daemon: DaemonProcess, _ user: String, _ token: String = "issuer") -> [String: Any]? {
        daemon.credd.read(user, "\(token).top").flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func access(_ daemon: DaemonProcess, _ user: String, _ token: String = "issuer") -> [String: Any]? {
        daemon.credd.read(user, "\(token).use").flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test("refreshes before expiry, persists the rotated refresh token (other .top keys kept), keeps HTCondor's .use shape")
    func refreshAndRotation() throws {
        let server = try OAuthServer(configuration: .init(rotateRefreshTokens: true, accessTokenLifetime: 4))
        defer { server.stop() }
        let daemon = try makeDaemon("oauth-rotate", server: server)
        defer { daemon.cleanUp() }
        let first = try login(daemon, server, user: "alice", expiresIn: 4)
        try daemon.start()
        #expect(eventually(timeout: 10) { (access(daemon, "alice")?["access_token"] as? String).map { $0 != first.access } ?? false },
                "no refresh; log:\n\(daemon.log)")
        let top = try #require(seed(daemon, "alice"))
        let rotated = try #require(top["refresh_token"] as? String)
        #expect(rotated != first.refresh)
        #expect(top["scopes"] as? String == "read:/data", "credd's scopes key must survive the rewrite")
        #expect(server.isActive(refreshToken: rotated))
        #expect(!server.isActive(refreshToken: first.refresh))
        let use = try #require(access(daemon, "alice"))
        #expect(use["refresh_token"] == nil, ".use must not carry the refresh token")
        #expect(use["token_type"] as? String == "Bearer")
        #expect(use["expires_in"] as? Int == 4)
        #expect(((use["expires_at"] as? Double) ?? 0) > Date().timeIntervalSince1970)
        #expect(server.isActive(accessToken: use["access_token"] as? String ?? ""))
        #expect(daemon.credd.mode("alice", "issuer.top") == 0o400 && daemon.credd.mode("alice", "issuer.use") == 0o400)
        let refreshes = server.requests(to: "/token")
        #expect(refreshes.allSatisfy { $0.formFields["client_secret"] == Self.client.secret && $0.formFields["grant_type"] == "refresh_token" })
    }

    @Test("a refresh answer without a refresh token keeps the old one")
    func noRefreshTokenInAnswer() throws {
        let server = try OAuthServer(configuration: .init(rotateRefreshTokens: false, accessTokenLifetime: 4, omitRefreshTokenInRefreshResponse: true))
        defer { server.stop() }
        let daemon = try makeDaemon("oauth-keep", server: server)
        defer { daemon.cleanUp() }
        let first = try login(daemon, server, user: "bob", expiresIn: 4)
        try daemon.start()
        #expect(eventually(timeout: 10) { (access(daemon, "bob")?["access_token"] as? String).map { $0 != first.access } ?? false },
                "no refresh; log:\n\(daemon.log)")
        #expect(seed(daemon, "bob")?["refresh_token"] as? String == first.refresh)
        #expect(!daemon.log.contains("ERROR"))
    }

    @Test("invalid_grant is terminal (one log line, no retries) until a new login; one broken credential never stops the others")
    func terminalAndIsolation() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 4))
        defer { server.stop() }
        let daemon = try makeDaemon("oauth-terminal", server: server)
        defer { daemon.cleanUp() }
        var firsts: [String: String] = [:]
        for index in 0..<10 { firsts["user\(index)"] = try login(daemon, server, user: "user\(index)", expiresIn: 4).access }
        let broken = try login(daemon, server, user: "mallory", expiresIn: 2)
        if let grant = server.grant(forRefreshToken: broken.refresh) { server.revokeGrant(grant.id) }
        try daemon.start()
        #expect(eventually(timeout: 10) {
            firsts.allSatisfy { user, first in (access(daemon, user)?["access_token"] as? String).map { $0 != first } ?? false }
        }, "the healthy credentials were not all refreshed; log:\n\(daemon.log)")
        #expect(eventually(timeout: 10) { daemon.log.contains("needs attention") }, "log:\n\(daemon.log)")
        let attempts = server.requests(to: "/token").filter { $0.formFields["refresh_token"] == broken.refresh }.count
        Thread.sleep(forTimeInterval: 3)
        #expect(server.requests(to: "/token").filter { $0.formFields["refresh_token"] == broken.refresh }.count == attempts, "a terminal credential was retried")
        #expect(daemon.log.components(separatedBy: "needs attention").count - 1 == 1, "one log line per state change")
        let status = try daemon.command("status").stdout
        #expect(status.split(separator: "\n").contains { $0.hasPrefix("mallory") && $0.contains("terminal") && $0.contains("invalid_grant") }, "\(status)")
        // A new login (a new .top) resumes it.
        let again = try login(daemon, server, user: "mallory", expiresIn: 2)
        #expect(eventually(timeout: 10) { (access(daemon, "mallory")?["access_token"] as? String).map { $0 != again.access } ?? false },
                "not resumed after a new login; log:\n\(daemon.log)")
    }

    @Test("use_refresh_token: false is left alone, quietly: no refresh, no error, state dormant; a new login resumes it")
    func refreshDisabled() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 2))
        defer { server.stop() }
        let daemon = try makeDaemon("oauth-dormant", server: server)
        defer { daemon.cleanUp() }
        let healthy = try login(daemon, server, user: "gina", expiresIn: 2)
        let frozen = try login(daemon, server, user: "hank", expiresIn: 2, useRefreshToken: false)
        try daemon.start()
        #expect(eventually(timeout: 10) { (access(daemon, "gina")?["access_token"] as? String).map { $0 != healthy.access } ?? false },
                "the healthy credential was not refreshed; log:\n\(daemon.log)")
        #expect(eventually(timeout: 10) { ((try? daemon.command("status").stdout) ?? "").split(separator: "\n").contains { $0.hasPrefix("hank") && $0.contains("dormant") } },
                "hank is not dormant in status; log:\n\(daemon.log)")
        Thread.sleep(forTimeInterval: 2.5)
        #expect(server.requests(to: "/token").allSatisfy { $0.formFields["refresh_token"] != frozen.refresh }, "a use_refresh_token: false credential was refreshed")
        #expect(access(daemon, "hank")?["access_token"] as? String == frozen.access, "its .use was touched")
        #expect(daemon.log.components(separatedBy: "Not renewed, as the credential asks").count - 1 == 1, "one info line, once:\n\(daemon.log)")
        #expect(!daemon.log.contains("ERROR") && !daemon.log.contains("WARNING"), "log:\n\(daemon.log)")
        // A new login that allows refreshing wakes it up.
        let again = try login(daemon, server, user: "hank", expiresIn: 2)
        #expect(eventually(timeout: 10) { (access(daemon, "hank")?["access_token"] as? String).map { $0 != again.access } ?? false },
                "not resumed after a new login; log:\n\(daemon.log)")
    }

    @Test("5xx and 429 are retried with backoff (honouring Retry-After) until they succeed")
    func transientErrors() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 2))
        defer { server.stop() }
        let daemon = try makeDaemon("oauth-transient", server: server)
        defer { daemon.cleanUp() }
        server.inject(.status(503, body: "busy"), count: 1, path: "/token")
        server.inject(.tooManyRequests(retryAfter: 1), count: 1, path: "/token")
        let first = try login(daemon, server, user: "carol", expiresIn: 2)
        try daemon.start()
        #expect(eventually(timeout: 30) { (access(daemon, "carol")?["access_token"] as? String).map { $0 != first.access } ?? false },
                "never recovered; log:\n\(daemon.log)")
        #expect(daemon.log.contains("Renewal failed; retrying with backoff"))
        // The log line follows the write of the .use.
        #expect(eventually(timeout: 5) { daemon.log.contains("Credential recovered") }, "log:\n\(daemon.log)")
        #expect(server.requests(to: "/token").count >= 3)
    }

    @Test("a removed credential is revoked at the provider (RFC 7009), not refreshed on its way out, and its kept copy erased")
    func revocationOnRemoval() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 600))
        defer { server.stop() }
        let daemon = try makeDaemon("oauth-revoke", server: server, extra: "revocation_url: \(server.url("/revoke").absoluteString)")
        defer { daemon.cleanUp() }
        let grant = try login(daemon, server, user: "dave", expiresIn: 600)
        try daemon.start()
        let copy = daemon.stateDirectory.appendingPathComponent("revocation/dave/issuer.top").path
        #expect(eventually(timeout: 10) { FileManager.default.fileExists(atPath: copy) }, "no copy kept; log:\n\(daemon.log)")
        var st = stat()
        #expect(stat(copy, &st) == 0 && st.st_mode & 0o777 == 0o600)
        // condor_credd sweeps the user's directory file by file; here the .use goes first, a moment before the rest.
        try FileManager.default.removeItem(atPath: daemon.credd.path("dave", "issuer.use"))
        Thread.sleep(forTimeInterval: 0.2)
        try FileManager.default.removeItem(at: daemon.credentialDirectory.appendingPathComponent("dave"))
        #expect(eventually(timeout: 10) { !server.isActive(refreshToken: grant.refresh) }, "not revoked; log:\n\(daemon.log)")
        #expect(!server.isActive(accessToken: grant.access))
        #expect(eventually(timeout: 5) { !FileManager.default.fileExists(atPath: copy) })
        #expect(server.requests(to: "/revoke").contains { $0.formFields["token"] == grant.refresh && $0.formFields["token_type_hint"] == "refresh_token" })
        #expect(server.requests(to: "/token").isEmpty, "a credential being removed was refreshed")
    }

    @Test("credmon revoke revokes and removes on demand")
    func revokeCommand() throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let daemon = try makeDaemon("oauth-revoke-cli", server: server, extra: "revocation_url: \(server.url("/revoke").absoluteString)")
        defer { daemon.cleanUp() }
        let grant = try login(daemon, server, user: "erin", expiresIn: 600)
        let result = try daemon.command("revoke", ["--user", "erin", "--service", "issuer"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!server.isActive(refreshToken: grant.refresh))
        #expect(daemon.credd.read("erin", "issuer.top") == nil && daemon.credd.read("erin", "issuer.use") == nil)
    }

    @Test("a client secret file fixed while the daemon runs is picked up on SIGHUP")
    func hangupReloadsClientSecret() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 2))
        defer { server.stop() }
        let secretDirectory = try TestPaths.temporaryDirectory("secret")
        defer { try? FileManager.default.removeItem(at: secretDirectory) }
        let secretFile = secretDirectory.appendingPathComponent("client_secret")
        try "wrong-secret\n".write(to: secretFile, atomically: true, encoding: .utf8)
        chmod(secretFile.path, 0o600)
        let daemon = try makeDaemon("oauth-sighup", server: server, extra: """
            client_id: \(Self.client.id)
            client_secret_file: \(secretFile.path)
            token_url: \(server.url("/token").absoluteString)
            """)
        defer { daemon.cleanUp() }
        let first = try login(daemon, server, user: "frank", expiresIn: 2)
        try daemon.start(extra: ["-d"])
        #expect(eventually(timeout: 10) { daemon.log.contains("invalid_client") },
                "log:\n\(daemon.log)\nserver saw: \(server.requestLog.map { "\($0.method) \($0.path) -> \($0.status.map(String.init) ?? "-")" })")
        #expect(!daemon.log.contains("wrong-secret"), "a secret reached the log")
        try "\(Self.client.secret)\n".write(to: secretFile, atomically: true, encoding: .utf8)
        chmod(secretFile.path, 0o600)
        daemon.send(SIGHUP)
        #expect(eventually(timeout: 10) { (access(daemon, "frank")?["access_token"] as? String).map { $0 != first.access } ?? false },
                "not refreshed after SIGHUP; log:\n\(daemon.log)")
        #expect(!daemon.log.contains(Self.client.secret), "a secret reached the log")
    }
}
