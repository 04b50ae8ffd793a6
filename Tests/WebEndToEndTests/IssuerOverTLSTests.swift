import Foundation
import Glibc
import Testing

/// scitokens-cpp fetches credmon-web's openid-configuration and JWKS over HTTPS (nginx in front, as deployed; a test
/// CA in the system trust store) and verifies a token the `credmon` daemon minted.
@Suite("Issuer documents over HTTPS, verified by scitokens-cpp", .serialized)
struct IssuerOverTLSTests {
    @Test("scitokens-verify and scitokens-test-access accept the daemon's token, fetching the keys through nginx; not without the CA")
    func scitokensCppOverTLS() throws {
        let output = try WebTestPaths.outputDirectory("web-issuer-tls")
        let root = try WebTestPaths.temporaryDirectory("tls")
        defer { try? FileManager.default.removeItem(at: root) }
        let webPort = WebTestPaths.freePort(), tlsPort = WebTestPaths.freePort()
        let issuer = "https://localhost:\(tlsPort)"
        let cred = root.appendingPathComponent("cred"), providers = root.appendingPathComponent("providers.d")
        let keys = root.appendingPathComponent("keys"), state = root.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: cred, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o2770])
        for directory in [providers, keys, state] { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        try """
            name: scitokens
            kind: local-scitoken
            issuer: \(issuer)
            key_id: tls-test
            audience: [https://storage.example.org]
            """.write(to: providers.appendingPathComponent("scitokens.yaml"), atomically: true, encoding: .utf8)
        // condor_credd's placeholder seed for a local issuer.
        let user = cred.appendingPathComponent("alice")
        try FileManager.default.createDirectory(at: user, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        FileManager.default.createFile(atPath: user.appendingPathComponent("scitokens.top").path, contents: Data("alice@foo".utf8),
                                       attributes: [.posixPermissions: 0o600])

        let locations = ["--cred-dir", cred.path, "--providers-dir", providers.path, "--key-dir", keys.path]
        let daemon = try ChildProcess(WebTestPaths.executable("credmon"),
                                      ["run"] + locations + ["--state-dir", state.path, "--log-file", output.appendingPathComponent("credmon.log").path],
                                      logFile: output.appendingPathComponent("credmon.out"))
        defer { daemon.stop() }
        let usePath = user.appendingPathComponent("scitokens.use").path
        #expect(eventually(timeout: 20) { FileManager.default.fileExists(atPath: usePath) }, "the daemon minted no token")
        let use = try #require(FileManager.default.contents(atPath: usePath).flatMap { try JSONSerialization.jsonObject(with: $0) as? [String: Any] })
        let token = try #require(use["access_token"] as? String)

        // credmon-web (started after the daemon generated the key pair) behind nginx terminating TLS.
        let web = try ChildProcess(WebTestPaths.executable("credmon-web"),
                                   ["--listen", "127.0.0.1:\(webPort)", "--public-url", issuer] + locations,
                                   logFile: output.appendingPathComponent("credmon-web.log"))
        defer { web.stop() }
        let ca = try TestCertificateAuthority(directory: root.appendingPathComponent("tls"))
        defer { ca.untrust() }
        let nginxConf = root.appendingPathComponent("nginx.conf")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("nginx-tmp"), withIntermediateDirectories: true)
        try NginxExample.configuration(root: root.path, tlsPort: tlsPort, upstreamPort: webPort,
                                       certificate: ca.serverCertificate.path, key: ca.serverKey.path)
            .write(to: nginxConf, atomically: true, encoding: .utf8)
        let nginx = try ChildProcess("/usr/sbin/nginx", ["-c", nginxConf.path, "-p", root.path], logFile: output.appendingPathComponent("nginx.out"))
        defer { nginx.stop() }
        #expect(eventually(timeout: 20) { httpGet("http://127.0.0.1:\(webPort)/jwks")?.status == 200 }, "credmon-web did not start:\n\(web.log)")
        #expect(eventually(timeout: 10) { (try? runCommand("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(tlsPort)"]))?.output.contains("CONNECTED") ?? false },
                "nginx did not start:\n\(nginx.log)")

        func scitokensCpp(_ arguments: [String], label: String) throws -> (status: Int32, output: String) {
            let cache = root.appendingPathComponent("cache-\(label)")  // empty key cache: the keys must be fetched
            try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
            return try runCommand(arguments[0], Array(arguments.dropFirst()), environment: ["XDG_CACHE_HOME": cache.path])
        }

        // Without the CA in the trust store the fetch fails, so the verification below really went over TLS.
        let untrusted = try scitokensCpp(["/usr/bin/scitokens-verify", token], label: "untrusted")
        #expect(untrusted.status != 0, "verified without trusting the test CA: \(untrusted.output)")

        try ca.trust()
        let verified = try scitokensCpp(["/usr/bin/scitokens-verify", token], label: "trusted")
        #expect(verified.status == 0, "scitokens-verify: \(verified.output)\nweb log:\n\(web.log)\nnginx:\n\(nginx.log)")
        let allowed = try scitokensCpp(["/usr/bin/scitokens-test-access", token, issuer, "https://storage.example.org", "read", "/user/alice/data"], label: "allow")
        #expect(allowed.status == 0, "read:/user/alice refused: \(allowed.output)")
        let denied = try scitokensCpp(["/usr/bin/scitokens-test-access", token, issuer, "https://storage.example.org", "read", "/user/bob"], label: "deny")
        #expect(denied.status != 0, "read:/user/bob granted: \(denied.output)")

        let access = (try? String(contentsOf: root.appendingPathComponent("nginx-access.log"), encoding: .utf8)) ?? ""
        try access.write(to: output.appendingPathComponent("nginx-access.log"), atomically: true, encoding: .utf8)
        #expect(access.contains("GET /.well-known/openid-configuration") && access.contains("GET /.well-known/jwks-uri"),
                "scitokens-cpp did not fetch through nginx:\n\(access)")
        #expect(web.log.contains("credmon.local_issuers=\(issuer)"))
    }
}

/// The nginx configuration of the README's deployment example, with test paths and ports.
enum NginxExample {
    static func configuration(root: String, tlsPort: Int, upstreamPort: Int, certificate: String, key: String) -> String {
        """
        daemon off;
        user root root;
        worker_processes 1;
        pid \(root)/nginx.pid;
        error_log \(root)/nginx-error.log info;
        events { worker_connections 64; }
        http {
            access_log \(root)/nginx-access.log;
            client_body_temp_path \(root)/nginx-tmp/body;
            proxy_temp_path \(root)/nginx-tmp/proxy;
            fastcgi_temp_path \(root)/nginx-tmp/fastcgi;
            uwsgi_temp_path \(root)/nginx-tmp/uwsgi;
            scgi_temp_path \(root)/nginx-tmp/scgi;
            server {
                listen 127.0.0.1:\(tlsPort) ssl;
                server_name localhost;
                ssl_certificate \(certificate);
                ssl_certificate_key \(key);
                location / {
                    proxy_pass http://127.0.0.1:\(upstreamPort);
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $remote_addr;
                    proxy_set_header X-Forwarded-Proto https;
                }
            }
        }
        """
    }
}
