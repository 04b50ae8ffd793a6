import Foundation
import OAuthTestServer
import Testing

/// Issue 9, item 6 in a real browser: headless Chromium (selenium) against the `credmon-web` binary and the loopback
/// authorization server, with another site served from 127.0.0.2 (a different site from 127.0.0.1).
@Suite("credmon-web refuses login CSRF and mix-up in a real browser", .serialized)
struct BrowserAttackTests {
    @Test("cross-site navigations to /login and /key are refused; Mallory's key page names Mallory before anything leaves it; a /return/ for another service stores nothing")
    func attacks() throws {
        let output = try WebTestPaths.outputDirectory("web-browser-attacks")
        let root = try WebTestPaths.temporaryDirectory("attacks")
        defer { try? FileManager.default.removeItem(at: root) }
        let port = WebTestPaths.freePort()
        let base = "http://127.0.0.1:\(port)"
        let client = OAuthServer.Client(id: "credmon-web-e2e", secret: "e2e-secret", redirectURIs: ["\(base)/return/issuer", "\(base)/return/other"])
        let server = try OAuthServer(configuration: .init(clients: [client]))
        defer { server.stop() }

        let cred = root.appendingPathComponent("cred"), providers = root.appendingPathComponent("providers.d")
        let keys = root.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: cred, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o2770])
        for directory in [providers, keys] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }

        // Key files as condor_credd writes them: Alice's (two services, each with its own return address) and Mallory's.
        func writeKey(user: String, services: [String]) throws -> String {
            let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            let ads = services.map { service in
                """
                Provider = "\(service)"
                Handle = ""
                LocalUser = "\(user)"
                Scopes = "read:/data"
                Audience = ""
                ClientId = "\(client.id)"
                ClientSecret = "\(client.secret)"
                ReturnUrl = "\(base)/return/\(service)"
                AuthorizationUrl = "\(server.issuer)/authorize"
                TokenUrl = "\(server.issuer)/token"
                """
            }
            let path = cred.appendingPathComponent(key).path
            try (ads.joined(separator: "\n\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
            chmod(path, 0o640)
            return key
        }
        let aliceKey = try writeKey(user: "alice", services: ["issuer", "other"])
        let malloryKey = try writeKey(user: "mallory", services: ["issuer"])

        let web = try ChildProcess(WebTestPaths.executable("credmon-web"),
                                   ["--listen", "127.0.0.1:\(port)", "--public-url", base, "--cred-dir", cred.path,
                                    "--providers-dir", providers.path, "--key-dir", keys.path],
                                   logFile: output.appendingPathComponent("credmon-web.log"))
        defer { web.stop() }
        #expect(eventually(timeout: 20) { httpGet(base + "/")?.status == 200 }, "credmon-web did not start:\n\(web.log)")

        let run = try runCommand("/usr/bin/env", ["python3", WebTestPaths.browserScript("attacks.py"), "--base", base, "--alice-key", aliceKey,
                                                  "--mallory-key", malloryKey, "--evil-host", "127.0.0.2", "--out", output.path])
        try run.output.write(to: output.appendingPathComponent("browser.json"), atomically: true, encoding: .utf8)
        #expect(run.status == 0, "browser run failed:\n\(run.output)\nweb log:\n\(web.log)")
        let report = try #require(run.output.split(separator: "\n").last.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        let steps = report["steps"] as? [[String: Any]] ?? []
        func step(_ name: String) -> [String: Any]? { steps.first { $0["page"] as? String == name } }

        // (a) Three cross-site attempts, each ended on the refusal page; the web app logged each.
        for page in ["navigate-login", "post-login", "navigate-key"] {
            let problem = step("cross-site \(page)")?["problem"] as? String ?? ""
            #expect(problem.contains("sent by another web site"), "\(page): \(problem)")
        }
        #expect(web.log.components(separatedBy: "Cross-site request refused").count - 1 == 3, "web log:\n\(web.log)")
        #expect(step("index after cross-site")?["passed"] as? Bool == true, "the refused /key added nothing: \(steps)")

        // (b) Mallory's page named Mallory, and the provider saw no authorization request before the button was pressed.
        let mallory = try #require(step("mallory-key"), "\(steps)")
        #expect((mallory["user"] as? String) == "mallory" && (mallory["text"] as? String ?? "").contains("HTCondor user mallory"))
        let beforeClick = try #require(mallory["before_click"] as? Double)
        let atProvider = try #require(mallory["at_provider"] as? Double)
        let authorizations = server.requests(to: "/authorize").map { (time: $0.receivedAt.timeIntervalSince1970, request: $0) }
        #expect(!authorizations.isEmpty)
        let early = authorizations.filter { $0.time < beforeClick }
        #expect(early.isEmpty, "\(early.count) authorization request(s) reached the provider before the button was pressed")
        let first = try #require(authorizations.min { $0.time < $1.time })
        #expect(first.time <= atProvider && first.request.method == "GET", "the first authorization request is the button's")

        // (c) The answer for "issuer" delivered at /return/other: refused; nothing stored, no code exchanged.
        let wrong = try #require(step("wrong-return"), "\(steps)")
        #expect((wrong["problem"] as? String ?? "").contains("return address of another service"))
        #expect(authorizations.contains { $0.request.query["redirect_uri"] == "\(base)/return/other" }, "the provider was asked to answer at /return/other")
        #expect(server.requests(to: "/token").isEmpty, "no code was exchanged")
        let stored = (try? FileManager.default.subpathsOfDirectory(atPath: cred.path)) ?? []
        #expect(stored.allSatisfy { $0 == aliceKey || $0 == malloryKey || $0 == "wsgi_session_key" }, "files stored: \(stored)")
        #expect(web.log.contains("Login answer refused: it arrived at another service's return address"))
        #expect(web.stop() == 0, "credmon-web did not exit cleanly on SIGTERM:\n\(web.log)")
    }
}
