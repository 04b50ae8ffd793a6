import Foundation

/// HTCondor's configuration, read through `condor_config_val` (HTCondor's own parser) when HTCondor is installed.
public struct CondorConfiguration: Sendable, Equatable {
    /// The `condor_config_val` executable.
    public var tool: String

    public init(tool: String) { self.tool = tool }

    /// Finds `condor_config_val` on the PATH (or `$CONDOR_CONFIG_VAL`); nil when HTCondor is not in sight.
    public static func detect(environment: [String: String] = ProcessInfo.processInfo.environment) -> CondorConfiguration? {
        if let explicit = environment["CONDOR_CONFIG_VAL"], FileManager.default.isExecutableFile(atPath: explicit) {
            return CondorConfiguration(tool: explicit)
        }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/condor_config_val"
            if FileManager.default.isExecutableFile(atPath: candidate) { return CondorConfiguration(tool: candidate) }
        }
        return nil
    }

    /// The value of a knob; nil when it is unset or empty (as HTCondor's Python bindings treat it).
    public func value(_ name: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [name]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// `<NAME>_LOG`, else `$(LOG)/<Camel>Log` as HTCondor's credmon computes it.
    public func logFile(daemonName: String) -> String? {
        if let explicit = value("\(daemonName)_LOG") { return explicit }
        guard let directory = value("LOG") else { return nil }
        let camel = daemonName.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined()
        return directory + "/" + camel + "Log"
    }
}
