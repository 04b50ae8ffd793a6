import Foundation
import OAuthTestServer
import Testing

/// HTCondor drop-in fidelity in a real browser: a key file whose `ReturnUrl` is a custom path (an admin's
/// `<SERVICE>_RETURN_URL_SUFFIX = /oauth/callback`) and whose service has a `_`, with `CREDMON_ALLOW_SPECIAL_CHAR_NAMES`
/// read from HTCondor's configuration through `condor_config_val`, as the daemon reads it.
@Suite("credmon-web in a real browser: custom ReturnUrl, special-character service", .serialized)
struct BrowserReturnURLTests {
    /// A `condor_config_val` stand-in answering from `knobs` (`-dump -expand RE` lists them all; `NAME` prints one).
    static func fakeConfigVal(in directory: URL, knobs: [String: String]) throws -> String {
        let dump = directory.appendingPathComponent("knobs")
        try knobs.map { "\($0.key) = \($0.value)\n" }.joined().write(to: dump, atomically: true, encoding: .utf8)
        let script = directory.appendingPathComponent("condor_config_val")
        try """
            #!/bin/sh
            if [ "$1" = "-dump" ]; then echo "# Parameters with names that match $3:"; cat '\(dump.path)'; exit 0; fi
            value=$(grep -i "^$1 = " '\(dump.path)' | head -n 1 | sed 's/^[^=]*= //')
            if [ -n "$value" ]; then echo "$value"; exit 0; fi
            echo "Not defined: $1" >&2; exit 1

            """.write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        return script.path
    }

    @Test("log in to my_issuer whose ReturnUrl is <base>/oauth/callback: the provider answers there, files are written")
    func customReturnPath() throws {
        let output = try WebTestPaths.outputDirectory("web-browser-return-url")
        let root = try WebTestPaths.temporaryDirectory("return-url")
        defer { try? FileManager.default.removeItem(at: root) }
        let port = WebTestPaths.freePort()
        let base = "http://127.0.0.1:\(port)"
        let returnURL = "\(base)/oauth/callback"
        let client = OAuthServer.Client(id: "credmon-web-e2e", secret: "e2e-secret", redirectURIs: [returnURL])
        let server = try OAuthServer(configuration: .init(clients: [client]))
        defer { server.stop() }

        let cred = root.appendingPathComponent("cred"), providers = root.appendingPathComponent("providers.d")
        let keys = root.appendingPathComponent("keys")
        try FileManager.default.createDirectory(at: cred, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o2770])
        for directory in [providers, keys] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        let configVal = try Self.fakeConfigVal(in: root, knobs: [
            "CREDMON_ALLOW_SPECIAL_CHAR_NAMES": "True", "CREDMON_WEB_PREFIX": base, "SEC_CREDENTIAL_DIRECTORY_OAUTH": cred.path,
        ])

        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let keyPath = cred.appendingPathComponent(key).path
        try """
            Provider = "my_issuer"
            Handle = ""
            LocalUser = "alice"
            Scopes = "read:/data"
            Audience = ""
            ClientId = "\(client.id)"
            ClientSecret = "\(client.secret)"
            ReturnUrl = "\(returnURL)"
            AuthorizationUrl = "\(server.issuer)/authorize"
            TokenUrl = "\(server.issuer)/token"

            """.write(toFile: keyPath, atomically: false, encoding: .utf8)
        chmod(keyPath, 0o640)

        let web = try ChildProcess(WebTestPaths.executable("credmon-web"),
                                   ["--listen", "127.0.0.1:\(port)", "--condor-config-val", configVal,
                                    "--providers-dir", providers.path, "--key-dir", keys.path],
                                   logFile: output.appendingPathComponent("credmon-web.log"))
        defer { web.stop() }
        #expect(eventually(timeout: 20) { httpGet(base + "/")?.status == 200 }, "credmon-web did not start:\n\(web.log)")

        let run = try runCommand("/usr/bin/env", ["python3", WebTestPaths.browserScript, "--base", base, "--key", key,
                                                  "--services", "my_issuer", "--user", "alice", "--out", output.path])
        try run.output.write(to: output.appendingPathComponent("browser.json"), atomically: true, encoding: .utf8)
        #expect(run.status == 0, "browser run failed:\n\(run.output)\nweb log:\n\(web.log)")

        let asked = server.requests(to: "/authorize").compactMap { $0.query["redirect_uri"] ?? $0.formFields["redirect_uri"] }
        #expect(!asked.isEmpty && asked.allSatisfy { $0 == returnURL }, "the provider was asked to answer at the ReturnUrl, verbatim: \(asked)")
        let exchanges = server.requests(to: "/token")
        #expect(exchanges.count == 1 && exchanges.first?.formFields["redirect_uri"] == returnURL && exchanges.first?.status == 200)
        let user = cred.appendingPathComponent("alice")
        for suffix in ["top", "use", "meta"] {
            let path = user.appendingPathComponent("my_issuer.\(suffix)").path
            let mode = (try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o400, "my_issuer.\(suffix); web log:\n\(web.log)")
        }
        #expect(!FileManager.default.fileExists(atPath: keyPath), "the key file goes once its service is logged in")
        #expect(web.stop() == 0)
        let webLog = web.log
        #expect(webLog.contains("http.path=/oauth/callback") && !webLog.contains("code=") && !webLog.contains(client.secret) && !webLog.contains(key))
    }
}
