import Foundation

/// HTCondor's configuration read through `condor_config_val`, HTCondor's own parser: macros, includes, `if`
/// blocks, metaknobs (`use feature:OAUTH`) and `_CONDOR_<NAME>` environment overrides mean what they mean to
/// HTCondor, because HTCondor evaluates them (the tool honours `_CONDOR_*` itself; we pass our environment on).
public struct ConfigValTool: CondorConfigSource {
    /// The `condor_config_val` executable.
    public var path: String
    /// The environment the tool runs with (`CONDOR_CONFIG`, `_CONDOR_*`).
    public var environment: [String: String]

    public init(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.path = path
        self.environment = environment
    }

    /// Environment variable naming the tool (takes precedence over the PATH).
    public static let environmentVariable = "CREDMON_CONDOR_CONFIG_VAL"

    /// Finds the tool: `explicit` (the `--condor-config-val` flag), else `$CREDMON_CONDOR_CONFIG_VAL` (or the older
    /// `$CONDOR_CONFIG_VAL`), else `condor_config_val` on the PATH. Nil when HTCondor is not in sight.
    public static func locate(explicit: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> ConfigValTool? {
        for candidate in [explicit, environment[environmentVariable], environment["CONDOR_CONFIG_VAL"]] {
            if let candidate, !candidate.isEmpty { return ConfigValTool(path: candidate, environment: environment) }
        }
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/condor_config_val"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return ConfigValTool(path: candidate, environment: environment)
            }
        }
        return nil
    }

    public var origin: String { path }

    /// `condor_config_val NAME`: the value on standard output; "Not defined: NAME" and exit status 1 otherwise.
    public func value(_ name: String) throws(CondorConfigError) -> String? {
        guard Self.isKnobName(name) else { throw CondorConfigError("'\(name)' is not a configuration name") }
        let result = try run([name])
        guard result.status == 0 else {
            if result.error.contains("Not defined") { return nil }
            throw CondorConfigError("\(path) \(name) failed (exit \(result.status)): \(result.error.prefix(300))")
        }
        var text = result.output
        if text.hasSuffix("\n") { text.removeLast() }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// `condor_config_val -dump -expand PATTERN`, parsed (`NAME = value` lines and `NAME @=end … @end` blocks).
    public func values(matching pattern: String) throws(CondorConfigError) -> [String: String] {
        let result = try run(["-dump", "-expand", pattern])
        guard result.status == 0 else {
            throw CondorConfigError("\(path) -dump failed (exit \(result.status)): \(result.error.prefix(300))")
        }
        return Self.parseDump(result.output)
    }

    /// Parses `condor_config_val -dump` output; values that are empty are left out.
    static func parseDump(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let line = lines.popFirst() {
            if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
            if let range = line.range(of: " @=") {
                let name = String(line[..<range.lowerBound])
                let terminator = "@" + line[range.upperBound...]
                var body: [String] = []
                while let next = lines.popFirst(), next != terminator {
                    body.append(String(next.drop { $0 == " " }))
                }
                if !body.isEmpty { values[name] = body.joined(separator: "\n") }
            } else if let range = line.range(of: " = ") ?? line.range(of: " =") {
                let name = String(line[..<range.lowerBound])
                let value = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
                if isKnobName(name), !value.isEmpty { values[name] = value }
            }
        }
        return values
    }

    /// HTCondor knob names: letters, digits, `_`, `.` (subsystem prefixes).
    static func isKnobName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }

    private struct Outcome { var status: Int32; var output: String; var error: String }

    private func run(_ arguments: [String]) throws(CondorConfigError) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw CondorConfigError("cannot run \(path): \(error.localizedDescription); install HTCondor's condor_config_val or pass --condor-config-val PATH")
        }
        // Read standard error on another thread so that neither pipe can fill up and block the tool.
        let errorData = ErrorCollector(handle: error.fileHandleForReading)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self),
                       error: String(decoding: errorData.finish(), as: UTF8.self))
    }
}

/// Drains a pipe on a background thread.
private final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func finish() -> Data {
        done.wait()
        return data
    }
}
