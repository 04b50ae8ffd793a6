@_exported import CredmonTestKit  // eventually, for every file of this target
import Foundation
import Glibc

/// An HTCondor access point in a temporary directory: a real-world configuration read by the test
/// condor_config_val (PyPI htcondor), found on the PATH as HTCondor's would be, with `_CONDOR_*` overrides moving
/// the credential directory, log directory and keys into the temporary directory.
final class CondorHarness {
    let root: URL
    let configFile: String
    var overrides: [String: String]
    /// Further environment variables (after the filtering of ``environment``), e.g. `CONDOR_INHERIT` as
    /// condor_master sets it.
    var extraEnvironment: [String: String] = [:]
    private(set) var daemon: Process?

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("CondorConfigTests/Fixtures").path

    /// The `credmon` executable built beside this test bundle (or `$CREDMON_BINARY`).
    static var credmon: String {
        if let explicit = ProcessInfo.processInfo.environment["CREDMON_BINARY"] { return explicit }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("credmon").path
    }

    init(label: String, fixture: String, configFile: String? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("credmon-condor-\(label)-\(UUID().uuidString.prefix(8))")
        for directory in ["bin", "log", "keys", "secrets"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("cred"), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o2770])
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("bin/condor_config_val").path,
                                                   withDestinationPath: Self.fixtures + "/bin/condor_config_val")
        self.configFile = configFile ?? Self.fixtures + "/configs/\(fixture)/condor_config"
        overrides = [
            "SEC_CREDENTIAL_DIRECTORY_OAUTH": root.appendingPathComponent("cred").path,
            "LOG": root.appendingPathComponent("log").path,
            "LOCAL_CREDMON_PRIVATE_KEY": root.appendingPathComponent("keys/scitokens-private.pem").path,
            "LOCAL_CREDMON_PUBLIC_KEY": root.appendingPathComponent("keys/scitokens.pem").path,
        ]
    }

    var credentialDirectory: URL { root.appendingPathComponent("cred") }

    /// A client secret file (0600) for `service`, named in `<SERVICE>_CLIENT_SECRET_FILE`.
    func addSecret(_ service: String) throws {
        let path = root.appendingPathComponent("secrets/\(service)").path
        FileManager.default.createFile(atPath: path, contents: Data("secret-\(service)\n".utf8), attributes: [.posixPermissions: 0o600])
        overrides["\(service.uppercased())_CLIENT_SECRET_FILE"] = path
    }

    /// The environment of a process condor_master would start: HTCondor's tools on the PATH, CONDOR_CONFIG, and the
    /// `_CONDOR_*` overrides; no credmon-specific variables.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("_CONDOR_") && !$0.key.hasPrefix("CREDMON_") && $0.key != "CONDOR_CONFIG_VAL"
        }
        environment["PATH"] = root.appendingPathComponent("bin").path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["CONDOR_CONFIG"] = configFile
        for (key, value) in overrides { environment["_CONDOR_\(key)"] = value }
        for (key, value) in extraEnvironment { environment[key] = value }
        return environment
    }

    /// A `CONDOR_INHERIT` value of the shape condor_master gives its daemons (parent pid, parent's address, …).
    static let inheritValue = "\(getpid()) <127.0.0.1:9618?addrs=127.0.0.1-9618> 0 0"

    /// Every call the test condor_config_val saw (`$CREDMON_TEST_CONFIG_VAL_LOG`, set by ``logConfigValCalls()``).
    var configValCalls: [String] {
        let path = root.appendingPathComponent("config_val_calls.log").path
        return ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Makes the test condor_config_val record its calls (see ``configValCalls``).
    func logConfigValCalls() {
        extraEnvironment["CREDMON_TEST_CONFIG_VAL_LOG"] = root.appendingPathComponent("config_val_calls.log").path
    }

    /// Runs `credmon ARGS` in the harness directory (so no ./providers.d is found), or in `directory` with
    /// `environment`, and waits for it.
    func credmon(_ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.credmon)
        process.arguments = arguments
        process.environment = environment ?? self.environment
        process.currentDirectoryURL = directory ?? root
        let output = root.appendingPathComponent("output-\(UUID().uuidString.prefix(6)).txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        return (process.terminationStatus, (try? String(contentsOf: output, encoding: .utf8)) ?? "")
    }

    /// Starts `credmon` with no arguments at all, as condor_master does, and waits for its pid file.
    func startDaemon() throws {
        let process = try launchDaemon()
        daemon = process
        let pidFile = credentialDirectory.appendingPathComponent("pid").path
        _ = eventually(timeout: 30) {
            !process.isRunning || FileManager.default.contents(atPath: pidFile).map { String(decoding: $0, as: UTF8.self) == "\(process.processIdentifier)" } ?? false
        }
    }

    /// Starts another `credmon` with no arguments (not waited for); its standard error goes to `stderr` if given.
    func launchDaemon(stderr: URL? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.credmon)
        process.arguments = []
        process.environment = environment
        process.currentDirectoryURL = root
        process.standardOutput = FileHandle.nullDevice
        if let stderr {
            FileManager.default.createFile(atPath: stderr.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: stderr)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Writes `<user>/<token>.top` as condor_credd does for a local-issuer service (mode 0600).
    func storeLocalCredential(user: String, token: String) throws {
        let directory = credentialDirectory.appendingPathComponent(user)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        FileManager.default.createFile(atPath: directory.appendingPathComponent("\(token).top").path,
                                       contents: Data("\(user)@ap".utf8), attributes: [.posixPermissions: 0o600])
    }

    /// Writes `<user>/<token>.top` as condor_credd stores a Vault credential from the storer (JSON, mode 0600).
    func storeVaultCredential(user: String, token: String, _ object: [String: String]) throws {
        let directory = credentialDirectory.appendingPathComponent(user)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        FileManager.default.createFile(atPath: directory.appendingPathComponent("\(token).top").path,
                                       contents: try JSONSerialization.data(withJSONObject: object) + Data("\n".utf8),
                                       attributes: [.posixPermissions: 0o600])
    }

    /// Every log file under `$(LOG)`, concatenated.
    var log: String {
        let directory = root.appendingPathComponent("log")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { try? String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }.joined()
    }

    func contents(_ relative: String) -> String? {
        FileManager.default.contents(atPath: credentialDirectory.appendingPathComponent(relative).path).map { String(decoding: $0, as: UTF8.self) }
    }

    func stopDaemon() -> Int32? {
        guard let daemon else { return nil }
        if daemon.isRunning { kill(daemon.processIdentifier, SIGTERM) }
        guard eventually(timeout: 15, { !daemon.isRunning }) else {
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
            return nil
        }
        return daemon.terminationStatus
    }

    deinit {
        if let daemon, daemon.isRunning {
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: root)
    }
}

/// The claims of a compact JWS (no verification: the token's issuer is not reachable from the test).
func claims(ofJWT token: String) -> [String: Any]? {
    let parts = token.split(separator: ".")
    guard parts.count == 3 else { return nil }
    var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    guard let data = Data(base64Encoded: base64) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}
