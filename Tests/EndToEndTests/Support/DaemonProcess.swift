import Foundation
import Glibc

/// A `credmon run` process on a temporary credential directory.
final class DaemonProcess {
    let root: URL
    let credentialDirectory: URL
    let providersDirectory: URL
    let stateDirectory: URL
    let keyDirectory: URL
    let logFile: URL
    private(set) var process: Process?

    /// Creates the directories (cred dir 2770) and writes the fragments.
    init(label: String, fragments: [String: String]) throws {
        root = try TestPaths.temporaryDirectory(label)
        credentialDirectory = root.appendingPathComponent("cred")
        providersDirectory = root.appendingPathComponent("providers.d")
        stateDirectory = root.appendingPathComponent("state")
        keyDirectory = root.appendingPathComponent("keys")
        logFile = root.appendingPathComponent("credmon.log")
        for directory in [providersDirectory, keyDirectory] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(at: credentialDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o2770])
        for (name, text) in fragments {
            try text.write(to: providersDirectory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    var credd: CreddEmulator { CreddEmulator(credentialDirectory: credentialDirectory) }

    /// The common location flags.
    var locationArguments: [String] {
        ["--cred-dir", credentialDirectory.path, "--providers-dir", providersDirectory.path,
         "--state-dir", stateDirectory.path, "--key-dir", keyDirectory.path]
    }

    /// Starts `credmon run` and waits for its pid file.
    func start(extra: [String] = [], scanInterval: Int = 600) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.credmon)
        process.arguments = ["run"] + locationArguments + ["--log-file", logFile.path, "--scan-interval", "\(scanInterval)"] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let pidFile = credentialDirectory.appendingPathComponent("pid").path
        _ = eventually(timeout: 10) {
            !process.isRunning ||
            FileManager.default.contents(atPath: pidFile).map { String(decoding: $0, as: UTF8.self) == "\(process.processIdentifier)" } ?? false
        }
    }

    var pid: Int32 { process?.processIdentifier ?? -1 }

    func send(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the process to exit; returns its status (nil on timeout).
    func waitForExit(timeout: TimeInterval = 10) -> Int32? {
        guard let process else { return nil }
        guard eventually(timeout: timeout, { !process.isRunning }) else { return nil }
        return process.terminationStatus
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// Runs another credmon subcommand with this daemon's locations.
    func command(_ name: String, _ arguments: [String] = []) throws -> CommandResult {
        try ProcessRunner.run(TestPaths.credmon, [name] + locationArguments + arguments)
    }

    /// Stops the daemon (if running) and removes the directories.
    func cleanUp() {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: root)
    }

    deinit { cleanUp() }
}
