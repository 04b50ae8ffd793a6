import Foundation

/// A real OpenBao server over TLS (a test CA), through `Support/openbao/openbao_fixture.py`: htvault-config's
/// `secret/oauth/creds/...` path is a KV v1 mount the test writes access tokens into (see `openbao/README.md`).
final class OpenBaoServer {
    let directory: URL
    let address: String
    let caFile: String

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("openbao/openbao_fixture.py").path
    }

    /// Starts a server on `port` (0: a free one).
    init(label: String, port: Int = 0) throws {
        directory = try TestPaths.temporaryDirectory("bao-\(label)")
        let started = try Self.call(["start", "--dir", directory.path] + (port == 0 ? [] : ["--port", String(port)]))
        guard let address = started["addr"] as? String, let caFile = started["ca_file"] as? String else {
            throw OpenBaoFailure("start printed no addr/ca_file: \(started)")
        }
        self.address = address
        self.caFile = caFile
    }

    /// The `vault_url` of `path` (below `secret/`).
    func url(_ path: String) -> String { "\(address)/v1/secret/\(path)" }

    /// Stores `accessToken` as what `secret/<path>` hands out.
    func put(_ path: String, accessToken: String) throws {
        _ = try Self.call(["put", "--dir", directory.path, "--path", path, "--access-token", accessToken])
    }

    /// A new Vault token (the long-lived one htgettoken stores), allowed to read the secrets and look itself up.
    func token(ttl: String = "28d") throws -> String {
        guard let token = try Self.call(["token", "--dir", directory.path, "--ttl", ttl])["token"] as? String else {
            throw OpenBaoFailure("token printed no token")
        }
        return token
    }

    /// Revokes a Vault token; returns once the server refuses it.
    func revoke(_ token: String) throws {
        _ = try Self.call(["revoke", "--dir", directory.path, "--token", token])
    }

    func stop() {
        _ = try? Self.call(["stop", "--dir", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    private static func call(_ arguments: [String]) throws -> [String: Any] {
        let python = ProcessRunner.which("python3") ?? "/usr/bin/python3"
        // The script talks to the server on loopback; proxies must not intercept it.
        let result = try ProcessRunner.run(python, [script] + arguments, environment: ["NO_PROXY": "*", "no_proxy": "*"])
        guard result.status == 0 else { throw OpenBaoFailure("openbao_fixture \(arguments[0]) failed: \(result.stderr)") }
        let line = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw OpenBaoFailure("openbao_fixture \(arguments[0]) printed no JSON: \(result.stdout)")
        }
        return object
    }
}

struct OpenBaoFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
