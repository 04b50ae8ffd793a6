import Foundation
import Glibc
import Testing

/// What an admin does: status, jwks, keygen, logrotate.
@Suite("Admin tools and operations")
struct OperationsTests {
    @Test("credmon status lists every credential with provider, state and expiry")
    func statusShowsCredentials() throws {
        let daemon = try DaemonProcess(label: "status", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice")
        try daemon.credd.storeLocalCredential(user: "bob", token: "scitokens_x")
        try daemon.credd.store(user: "carol", token: "box", content: Data("{\"refresh_token\":\"r\"}".utf8))
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil })
        var output = ""
        #expect(eventually(timeout: 6) {
            output = (try? daemon.command("status").stdout) ?? ""
            // alice's record is committed just after her .use is written: wait for all three in one status file.
            return output.contains("alice") && output.contains("bob") && output.contains("carol")
        }, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        let alice = try #require(lines.first { $0.hasPrefix("alice") })
        #expect(alice.contains("scitokens") && alice.contains("valid") && alice.contains("in 19m") || alice.contains("in 20m"), "\(alice)")
        #expect(lines.contains { $0.hasPrefix("bob") && $0.contains("refused") && $0.contains("handles are not supported") }, "\(output)")
        #expect(lines.contains { $0.hasPrefix("carol") && $0.contains("unowned") }, "\(output)")
        #expect(output.contains("(running)"))
        let json = try daemon.command("status", ["--json"])
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((decoded?["credentials"] as? [Any])?.count == 3)
    }

    @Test("credmon keygen creates a P-256 pair with the right modes; credmon jwks publishes it")
    func keygenAndJWKS() throws {
        let daemon = try DaemonProcess(label: "keygen", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        let missing = try daemon.command("jwks")
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("does not exist yet"), "\(missing.stderr)")
        let created = try daemon.command("keygen")
        #expect(created.status == 0, "\(created.stderr)")
        let privatePath = daemon.keyDirectory.appendingPathComponent("scitokens-private.pem").path
        var st = stat()
        #expect(stat(privatePath, &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(stat(daemon.keyDirectory.appendingPathComponent("scitokens.pem").path, &st) == 0 && st.st_mode & 0o777 == 0o644)
        #expect(try String(contentsOfFile: privatePath, encoding: .utf8).hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
        let again = try daemon.command("keygen")
        #expect(again.stdout.contains("kept existing"))
        let jwks = try daemon.command("jwks")
        #expect(jwks.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(jwks.stdout.utf8)) as? [String: [[String: String]]])
        let key = try #require(document["keys"]?.first)
        #expect(key["kty"] == "EC" && key["crv"] == "P-256" && key["alg"] == "ES256" && key["use"] == "sig" && key["kid"] == "local")
        #expect(key["x"]?.count == 43 && key["y"]?.count == 43 && !(key["x"]?.contains("=") ?? true))
        // The same public key as openssl derives from the private key.
        let openssl = try ProcessRunner.run("/usr/bin/openssl", ["pkey", "-in", privatePath, "-pubout"])
        #expect(openssl.stdout == (try String(contentsOfFile: daemon.keyDirectory.appendingPathComponent("scitokens.pem").path, encoding: .utf8)))
    }

    @Test("the log file is reopened after logrotate moves it")
    func logRotation() throws {
        let daemon = try DaemonProcess(label: "rotate", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice")
        #expect(eventually(timeout: 10) { daemon.log.contains("Issued access token") })
        let rotated = daemon.root.appendingPathComponent("credmon.log.1")
        try FileManager.default.moveItem(at: daemon.logFile, to: rotated)
        Thread.sleep(forTimeInterval: 1.1)
        try daemon.credd.storeLocalCredential(user: "bob")
        #expect(eventually(timeout: 10) { daemon.log.contains("credmon.user=bob") }, "no new log file after rotation")
        #expect(!(try String(contentsOf: rotated, encoding: .utf8)).contains("credmon.user=bob"))
    }

    @Test("run --once does one pass and exits 0")
    func runOnce() throws {
        let daemon = try DaemonProcess(label: "once", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        for user in ["alice", "bob", "carol"] { try daemon.credd.storeLocalCredential(user: user) }
        let result = try ProcessRunner.run(TestPaths.credmon, ["run", "--once", "--log-file", "-"] + daemon.locationArguments)
        #expect(result.status == 0, "\(result.stderr)")
        for user in ["alice", "bob", "carol"] { #expect(daemon.credd.read(user, "scitokens.use") != nil) }
        #expect(FileManager.default.fileExists(atPath: daemon.credentialDirectory.appendingPathComponent("CREDMON_COMPLETE").path))
    }

    @Test("HTCondor's flag spellings -c -l -d -v -n are accepted")
    func condorFlags() throws {
        let daemon = try DaemonProcess(label: "flags", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.credd.storeLocalCredential(user: "alice")
        let result = try ProcessRunner.run(TestPaths.credmon, [
            "-c", daemon.credentialDirectory.path, "-l", daemon.logFile.path, "-d", "-v", "-n", "credmon_oauth",
            "--providers-dir", daemon.providersDirectory.path, "--state-dir", daemon.stateDirectory.path,
            "--key-dir", daemon.keyDirectory.path, "--once",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(daemon.credd.read("alice", "scitokens.use") != nil)
        #expect(result.stderr.contains("DEBUG"), "-v mirrors to stderr and -d enables debug lines")
        #expect(daemon.log.contains("Issued access token"))
    }
}
