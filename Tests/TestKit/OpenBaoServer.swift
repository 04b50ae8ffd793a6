import Foundation

/// A real OpenBao server over TLS (a test CA), through `Tests/EndToEndTests/Support/openbao/openbao_fixture.py`:
/// htvault-config's `secret/oauth/creds/...` path is a KV v1 mount the test writes access tokens into (see that
/// directory's README).
public final class OpenBaoServer: @unchecked Sendable {
    public let directory: URL
    /// `https://127.0.0.1:<port>`.
    public let address: String
    /// The test CA's certificate (PEM).
    public let caFile: String

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("EndToEndTests/Support/openbao/openbao_fixture.py").path
    }

    /// Starts a server on `port` (0: a free one).
    public init(label: String, port: Int = 0) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("credmon-bao-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let started = try Self.call(["start", "--dir", directory.path] + (port == 0 ? [] : ["--port", String(port)]))
        guard let address = started["addr"] as? String, let caFile = started["ca_file"] as? String else {
            throw OpenBaoFailure("start printed no addr/ca_file: \(started)")
        }
        self.address = address
        self.caFile = caFile
    }

    /// The `vault_url` of `path` (below `secret/`).
    public func url(_ path: String) -> String { "\(address)/v1/secret/\(path)" }

    /// Stores `accessToken` as what `secret/<path>` hands out.
    public func put(_ path: String, accessToken: String) throws {
        _ = try Self.call(["put", "--dir", directory.path, "--path", path, "--access-token", accessToken])
    }

    /// A new Vault token (the long-lived one htgettoken stores), allowed to read the secrets and look itself up.
    public func token(ttl: String = "28d") throws -> String {
        guard let token = try Self.call(["token", "--dir", directory.path, "--ttl", ttl])["token"] as? String else {
            throw OpenBaoFailure("token printed no token")
        }
        return token
    }

    /// Revokes a Vault token; returns once the server refuses it.
    public func revoke(_ token: String) throws {
        _ = try Self.call(["revoke", "--dir", directory.path, "--token", token])
    }

    public func stop() {
        _ = try? Self.call(["stop", "--dir", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs the fixture script (it returns at once: the server runs in its own session with its output in a file).
    private static func call(_ arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        // The script talks to the server on loopback; proxies must not intercept it.
        process.environment = ProcessInfo.processInfo.environment.merging(["NO_PROXY": "*", "no_proxy": "*"]) { _, new in new }
        let output = Pipe()
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("credmon-bao-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw OpenBaoFailure("openbao_fixture \(arguments[0]) failed: \(message)")
        }
        let line = String(decoding: stdout, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw OpenBaoFailure("openbao_fixture \(arguments[0]) printed no JSON: \(line)")
        }
        return object
    }
}

/// The OpenBao fixture failed.
public struct OpenBaoFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
