import Foundation
import Glibc
import Testing

/// `kind: vault` with the real daemon against a real OpenBao server over TLS (a test CA): the htgettoken /
/// htvault-config stack as HTCondor's Vault credmon serves it (contract §C.4).
@Suite("Vault credentials against a real OpenBao server", .serialized)
struct VaultEndToEndTests {
    /// A fragment trusting the server's test CA through `ca_file` (AUTH_SSL_CLIENT_CAFILE) or, with `caDirectory`,
    /// through a directory of CA certificates beside the system's (AUTH_SSL_CLIENT_CADIR).
    func fragment(_ bao: OpenBaoServer, name: String = "igwn", caDirectory: Bool = false) -> [String: String] {
        let trust = caDirectory ? "ca_directory: \((bao.caFile as NSString).deletingLastPathComponent)" : "ca_file: \(bao.caFile)"
        return ["vault.yaml": """
            name: "\(name)"
            kind: vault
            allowed_ports: [any]
            \(trust)
            """]
    }

    func storeSeed(_ daemon: DaemonProcess, user: String, token: String, _ object: [String: String]) throws {
        try daemon.credd.store(user: user, token: token, content: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    func status(_ daemon: DaemonProcess) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: daemon.stateDirectory.appendingPathComponent("status.json").path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [] }
        return object["credentials"] as? [[String: Any]] ?? []
    }

    func entry(_ daemon: DaemonProcess, _ user: String, _ token: String) -> [String: Any]? {
        status(daemon).first { $0["user"] as? String == user && $0["token"] as? String == token }
    }

    static func jwt(_ subject: String, lifetime: Int) -> String {
        VaultAnswerJWT.make(subject: subject, exp: Int(Date().timeIntervalSince1970) + lifetime)
    }

    @Test("fetches over TLS with the .top's Vault token: bare token + newline, 0400; a handle uses its parent's token; status shows the Vault token's lifetime")
    func fetchAndHandle() throws {
        let bao = try OpenBaoServer(label: "fetch")
        defer { bao.stop() }
        let daemon = try DaemonProcess(label: "vault-fetch", fragments: fragment(bao))
        defer { daemon.cleanUp() }
        let token = try bao.token(ttl: "28d")
        let access = Self.jwt("alice", lifetime: 10800)
        let reduced = Self.jwt("alice-reduced", lifetime: 10800)
        try bao.put("oauth/creds/igwn/alice:default", accessToken: access)
        try bao.put("oauth/creds/igwn/alice:reduced", accessToken: reduced)
        try storeSeed(daemon, user: "alice", token: "igwn", ["vault_token": token, "vault_url": bao.url("oauth/creds/igwn/alice:default")])
        try storeSeed(daemon, user: "alice", token: "igwn_reduced", ["vault_url": bao.url("oauth/creds/igwn/alice:reduced"),
                                                                     "scopes": "read:/a", "audience": "https://aud.example"])
        try daemon.start()
        #expect(eventually(timeout: 15) { daemon.credd.read("alice", "igwn.use") == access + "\n" }, "log:\n\(daemon.log)")
        #expect(eventually(timeout: 15) { daemon.credd.read("alice", "igwn_reduced.use") == reduced + "\n" }, "log:\n\(daemon.log)")
        #expect(daemon.credd.mode("alice", "igwn.use") == 0o400)
        #expect(eventually(timeout: 10) { (entry(daemon, "alice", "igwn")?["seedExpiresAt"] as? Double) != nil })
        let expiry = try #require(entry(daemon, "alice", "igwn")?["seedExpiresAt"] as? Double)
        #expect(abs(expiry - (Date().timeIntervalSince1970 + 28 * 86400)) < 600, "lookup-self: 28 days left")
        // Issue 12: the Vault token's TTL is the credential's expiry, the same date to the second; 28 days is `ok`.
        let watched = try #require(entry(daemon, "alice", "igwn"))
        #expect(watched["credentialExpirySource"] as? String == "vault_token_ttl", "\(watched)")
        #expect((watched["credentialExpiresAt"] as? NSNumber)?.int64Value == Int64(expiry.rounded()), "\(watched)")
        #expect(watched["credentialState"] as? String == "ok", "\(watched)")
        let shown = try daemon.command("status")
        #expect(shown.stdout.contains("TOP EXPIRES") && (shown.stdout.contains("in 27d") || shown.stdout.contains("in 28d")), "\(shown.stdout)")
        #expect(!daemon.log.contains(token), "the Vault token is never logged")
        #expect(!shown.stdout.contains(token))
    }

    @Test("a newer .top is fetched at once; a revoked Vault token removes .top and .use (logged once, status says so); trust from a CA directory")
    func newSeedAndRevocation() throws {
        let bao = try OpenBaoServer(label: "revoke")
        defer { bao.stop() }
        let daemon = try DaemonProcess(label: "vault-revoke", fragments: fragment(bao, caDirectory: true))
        defer { daemon.cleanUp() }
        let first = try bao.token()
        let path = "oauth/creds/igwn/bob:default"
        let one = Self.jwt("bob-1", lifetime: 10800)
        try bao.put(path, accessToken: one)
        try storeSeed(daemon, user: "bob", token: "igwn", ["vault_token": first, "vault_url": bao.url(path)])
        try daemon.start()
        #expect(eventually(timeout: 15) { daemon.credd.read("bob", "igwn.use") == one + "\n" }, "log:\n\(daemon.log)")

        // The storer stores a new Vault token: the .use is not due, but the new .top is acted on at once.
        let second = try bao.token()
        let two = Self.jwt("bob-2", lifetime: 10800)
        try bao.put(path, accessToken: two)
        try storeSeed(daemon, user: "bob", token: "igwn", ["vault_token": second, "vault_url": bao.url(path)])
        #expect(eventually(timeout: 15) { daemon.credd.read("bob", "igwn.use") == two + "\n" }, "log:\n\(daemon.log)")

        // The Vault token is revoked: permission denied at the next fetch (a new .top forces one) removes both files.
        try bao.revoke(second)
        try storeSeed(daemon, user: "bob", token: "igwn", ["vault_token": second, "vault_url": bao.url(path)])
        #expect(eventually(timeout: 15) {
            daemon.credd.read("bob", "igwn.top") == nil && daemon.credd.read("bob", "igwn.use") == nil
        }, "log:\n\(daemon.log)")
        #expect(eventually(timeout: 10) { entry(daemon, "bob", "igwn")?["state"] as? String == "discarded" })
        #expect((entry(daemon, "bob", "igwn")?["lastError"] as? String)?.contains("permission denied") == true)
        // A full pass after the removal (CREDMON_COMPLETE touched again) logs nothing more about it.
        let complete = daemon.credentialDirectory.appendingPathComponent("CREDMON_COMPLETE").path
        func touched() -> Date? { (try? FileManager.default.attributesOfItem(atPath: complete))?[.modificationDate] as? Date }
        let before = touched()
        daemon.send(SIGHUP)
        #expect(eventually(timeout: 10) { touched().map { $0 > (before ?? .distantPast) } ?? false }, "no pass after SIGHUP")
        let lines = daemon.log.components(separatedBy: "\n").filter { $0.contains("dead at its source") }
        #expect(lines.count == 1, "logged once:\n\(daemon.log)")
    }
}

extension VaultEndToEndTests {
    @Test("a server whose certificate the trust does not cover gets no Vault token: failing with backoff, .top kept")
    func untrustedCertificate() throws {
        let bao = try OpenBaoServer(label: "untrusted")
        defer { bao.stop() }
        let daemon = try DaemonProcess(label: "vault-untrusted", fragments: ["vault.yaml": "name: igwn\nkind: vault\nallowed_ports: [any]\n"])
        defer { daemon.cleanUp() }
        let token = try bao.token()
        try bao.put("oauth/creds/igwn/carol:default", accessToken: Self.jwt("carol", lifetime: 3600))
        try storeSeed(daemon, user: "carol", token: "igwn", ["vault_token": token, "vault_url": bao.url("oauth/creds/igwn/carol:default")])
        try daemon.start()
        #expect(eventually(timeout: 15) { entry(daemon, "carol", "igwn")?["state"] as? String == "failing" }, "log:\n\(daemon.log)")
        #expect((entry(daemon, "carol", "igwn")?["lastError"] as? String)?.contains("network") == true)
        #expect(daemon.credd.read("carol", "igwn.use") == nil)
        #expect(daemon.credd.read("carol", "igwn.top") != nil, "a TLS failure is not a dead Vault token")
        #expect(!daemon.log.contains(token))
    }
}

/// Unsigned JWT-shaped tokens with an `exp` (the daemon only reads `exp`; OpenBao stores them as strings).
enum VaultAnswerJWT {
    static func make(subject: String, exp: Int) -> String {
        func b64(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        return b64(#"{"alg":"ES256","typ":"JWT"}"#) + "." + b64(#"{"sub":"\#(subject)","exp":\#(exp)}"#) + ".c2lnbmF0dXJl"
    }
}
