import Foundation
import Testing

/// A throw-away CA and a `localhost` server certificate made with openssl; ``trust()`` adds the CA to the system
/// trust store (`/usr/local/share/ca-certificates` + `update-ca-certificates`, as root) and ``untrust()`` removes it.
final class TestCertificateAuthority {
    let directory: URL
    let name = "credmon-test-ca-\(UUID().uuidString.prefix(8)).crt"
    var certificate: URL { directory.appendingPathComponent("ca.crt") }
    var serverCertificate: URL { directory.appendingPathComponent("server.crt") }
    var serverKey: URL { directory.appendingPathComponent("server.key") }
    private var trusted = false

    init(directory: URL) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.path
        try "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n"
            .write(toFile: path + "/server.ext", atomically: true, encoding: .utf8)
        let commands: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path + "/ca.key",
             "-out", path + "/ca.crt", "-days", "2", "-subj", "/CN=Credmon test CA \(name)",
             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", path + "/server.key",
             "-out", path + "/server.csr", "-subj", "/CN=localhost"],
            ["x509", "-req", "-in", path + "/server.csr", "-CA", path + "/ca.crt", "-CAkey", path + "/ca.key", "-CAcreateserial",
             "-out", path + "/server.crt", "-days", "2", "-extfile", path + "/server.ext"],
        ]
        for arguments in commands {
            let result = try runCommand("/usr/bin/openssl", arguments)
            try #require(result.status == 0, "openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.output)")
        }
    }

    /// Adds the CA to the system trust store (needs root, as CI runs).
    func trust() throws {
        try #require(getuid() == 0, "adding a CA to the system trust store needs root (CI runs as root)")
        try FileManager.default.copyItem(at: certificate, to: URL(fileURLWithPath: "/usr/local/share/ca-certificates/\(name)"))
        trusted = true
        let result = try runCommand("/usr/sbin/update-ca-certificates", [])
        try #require(result.status == 0, "update-ca-certificates failed: \(result.output)")
    }

    func untrust() {
        guard trusted else { return }
        try? FileManager.default.removeItem(atPath: "/usr/local/share/ca-certificates/\(name)")
        _ = try? runCommand("/usr/sbin/update-ca-certificates", ["--fresh"])
        trusted = false
    }

    deinit { untrust() }
}
