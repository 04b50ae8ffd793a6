import Foundation
import OAuthTestServer
import Testing

/// The whole HTCondor web-login path with real parts: a key file as condor_credd writes it, `credmon-web`, headless
/// Chromium driven by selenium through the authorization server's real login and consent pages, then the `credmon`
/// daemon refreshing what the login stored.
@Suite("credmon-web in a real browser", .serialized)
struct BrowserLoginTests {
    @Test("two services (one with a handle): log in, land on /, files correct, the daemon refreshes them")
    func browserLogin() throws {
        let output = try WebTestPaths.outputDirectory("web-browser-login")
        let root = try WebTestPaths.temporaryDirectory("browser")
        defer { try? FileManager.default.removeItem(at: root) }
        let port = WebTestPaths.freePort()
        let base = "http://127.0.0.1:\(port)"
        let client = OAuthServer.Client(id: "credmon-web-e2e", secret: "e2e-secret", redirectURIs: ["\(base)/return/issuer"])
        let server = try OAuthServer(configuration: .init(clients: [client], rotateRefreshTokens: true, accessTokenLifetime: 8))
        defer { server.stop() }

        let cred = root.appendingPathComponent("cred"), providers = root.appendingPathComponent("providers.d")
        let keys = root.appendingPathComponent("keys"), state = root.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: cred, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o2770])
        for directory in [providers, keys, state] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        try "name: issuer\nkind: oauth2\nuserinfo_url: \(server.issuer)/userinfo\n".write(to: providers.appendingPathComponent("issuer.yaml"), atomically: true, encoding: .utf8)

        // The key file, as condor_credd writes it: one old-style ad per service, a blank line between.
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let ads = ["", "work"].map { handle in
            """
            Provider = "issuer"
            Handle = "\(handle)"
            LocalUser = "alice"
            Scopes = "read:/data, write:/data"
            Audience = "https://storage.example.org"
            ClientId = "\(client.id)"
            ClientSecret = "\(client.secret)"
            ReturnUrl = "\(base)/return/issuer"
            AuthorizationUrl = "\(server.issuer)/authorize"
            TokenUrl = "\(server.issuer)/token"
            """
        }
        let keyPath = cred.appendingPathComponent(key).path
        try (ads.joined(separator: "\n\n") + "\n").write(toFile: keyPath, atomically: false, encoding: .utf8)
        chmod(keyPath, 0o640)

        let locations = ["--cred-dir", cred.path, "--providers-dir", providers.path, "--key-dir", keys.path]
        let web = try ChildProcess(WebTestPaths.executable("credmon-web"),
                                   ["--listen", "127.0.0.1:\(port)", "--public-url", base] + locations,
                                   logFile: output.appendingPathComponent("credmon-web.log"))
        defer { web.stop() }
        let daemon = try ChildProcess(WebTestPaths.executable("credmon"),
                                      ["run"] + locations + ["--state-dir", state.path, "--log-file", output.appendingPathComponent("credmon.log").path],
                                      logFile: output.appendingPathComponent("credmon.out"))
        defer { daemon.stop() }
        #expect(eventually(timeout: 20) { httpGet(base + "/")?.status == 200 }, "credmon-web did not start:\n\(web.log)")

        let run = try runCommand("/usr/bin/env", ["python3", WebTestPaths.browserScript, "--base", base, "--key", key,
                                                  "--services", "issuer,issuer_work", "--user", "alice", "--out", output.path])
        try run.output.write(to: output.appendingPathComponent("browser.json"), atomically: true, encoding: .utf8)
        #expect(run.status == 0, "browser run failed:\n\(run.output)\nweb log:\n\(web.log)")
        let report = try #require(run.output.split(separator: "\n").last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect((report["screenshots"] as? [String])?.count == 9, "\(report)")
        #expect(run.output.contains("Logged in as: alice@example.org"))
        #expect(run.output.contains("state mismatch") && run.output.contains("unknown or has expired"))

        // The files of both services.
        let user = cred.appendingPathComponent("alice")
        func json(_ name: String) -> [String: Any]? {
            FileManager.default.contents(atPath: user.appendingPathComponent(name).path).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }
        func mode(_ name: String) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: user.appendingPathComponent(name).path)[.posixPermissions] as? NSNumber)?.intValue
        }
        var firstAccess: [String: String] = [:]
        for stem in ["issuer", "issuer_work"] {
            let top = try #require(json("\(stem).top"), "no \(stem).top; web log:\n\(web.log)")
            #expect(top["scopes"] as? String == "read:/data, write:/data" && top["audience"] as? String == "https://storage.example.org")
            #expect(!((top["refresh_token"] as? String) ?? "").isEmpty)
            let meta = try #require(json("\(stem).meta"))
            #expect(meta["client_id"] as? String == client.id && meta["client_secret"] as? String == client.secret)
            #expect(meta["token_url"] as? String == "\(server.issuer)/token" && meta["use_refresh_token"] as? Bool == true)
            let use = try #require(json("\(stem).use"))
            #expect(use["refresh_token"] == nil && use["expires_in"] as? Int == 8)
            firstAccess[stem] = use["access_token"] as? String
            for suffix in ["top", "meta", "use"] { #expect(mode("\(stem).\(suffix)") == 0o400, "\(stem).\(suffix) mode") }
        }
        #expect(!FileManager.default.fileExists(atPath: keyPath), "the key file is removed once every service is logged in")

        // The daemon renews both before they expire, rotating the refresh token.
        #expect(eventually(timeout: 20) {
            ["issuer", "issuer_work"].allSatisfy { stem in (json("\(stem).use")?["access_token"] as? String).map { $0 != firstAccess[stem] } ?? false }
        }, "the daemon did not refresh; its log:\n\((try? String(contentsOf: output.appendingPathComponent("credmon.log"), encoding: .utf8)) ?? "")")
        for stem in ["issuer", "issuer_work"] {
            let use = try #require(json("\(stem).use"))
            #expect(server.isActive(accessToken: use["access_token"] as? String ?? ""))
            let top = try #require(json("\(stem).top"))
            #expect(server.isActive(refreshToken: top["refresh_token"] as? String ?? ""))
            #expect(top["scopes"] as? String == "read:/data, write:/data", "the raw scopes survive the daemon's rewrite")
        }

        // Graceful shutdown on SIGTERM; no secret in the web log.
        #expect(web.stop() == 0, "credmon-web did not exit cleanly on SIGTERM:\n\(web.log)")
        let webLog = web.log
        #expect(webLog.contains("http.path=/return/issuer") && !webLog.contains("code=") && !webLog.contains(client.secret) && !webLog.contains(key))
    }
}
