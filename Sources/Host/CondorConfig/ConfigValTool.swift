import FoundationEssentials
import Engine

/// HTCondor's configuration read through `condor_config_val`, HTCondor's own parser: macros, includes, `if`
/// blocks, metaknobs (`use feature:OAUTH`) and `_CONDOR_<NAME>` environment overrides mean what they mean to
/// HTCondor, because HTCondor evaluates them (the tool honours `_CONDOR_*` itself; we pass our environment on).
public struct ConfigValTool: CondorConfigSource {
    /// The `condor_config_val` executable.
    public var path: String
    /// The environment the tool runs with (`CONDOR_CONFIG`, `_CONDOR_*`).
    public var environment: [String: String]
    /// Seconds one run of the tool may take before it is killed: ``defaultTimeout``, or
    /// `$CREDMON_CONDOR_CONFIG_VAL_TIMEOUT` when that is a positive number.
    public var timeout: TimeInterval
    /// The HTCondor subsystem the configuration is read as (`-subsystem NAME`, so `NAME.X = v` overrides `X`), as
    /// the daemon `NAME` reads it; nil reads as a tool does (subsystem `TOOL`).
    public var subsystem: String?

    public init(path: String, environment: [String: String] = ProcessInfo.processInfo.environment, timeout: TimeInterval? = nil,
                subsystem: String? = nil) {
        self.path = path
        self.environment = environment
        self.subsystem = subsystem.flatMap { $0.isEmpty ? nil : $0.uppercased() }
        self.timeout = timeout ?? environment[Self.timeoutVariable].flatMap(TimeInterval.init).flatMap { $0 > 0 && $0 <= 3600 ? $0 : nil }
            ?? Self.defaultTimeout
    }

    /// This tool reading the configuration as HTCondor's subsystem `name` (`-subsystem NAME`).
    public func reading(asSubsystem name: String) -> ConfigValTool {
        var copy = self
        copy.subsystem = name.isEmpty ? nil : name.uppercased()
        return copy
    }

    /// Environment variable naming the tool (takes precedence over the PATH).
    public static let environmentVariable = "CREDMON_CONDOR_CONFIG_VAL"
    /// Environment variable overriding ``defaultTimeout`` (seconds).
    public static let timeoutVariable = "CREDMON_CONDOR_CONFIG_VAL_TIMEOUT"
    /// Seconds one run of the tool may take: 10 (it answers in well under one).
    public static let defaultTimeout: TimeInterval = 10

    /// Finds the tool: `explicit` (the `--condor-config-val` flag), else `$CREDMON_CONDOR_CONFIG_VAL` (or the older
    /// `$CONDOR_CONFIG_VAL`), else `condor_config_val` in ``searchDirectories(environment:)``: the PATH, and when
    /// HTCondor started this process (or names its configuration) the places HTCondor installs its tools. Nil when
    /// HTCondor is not in sight.
    public static func locate(explicit: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> ConfigValTool? {
        for candidate in [explicit, environment[environmentVariable], environment["CONDOR_CONFIG_VAL"]] {
            if let candidate, !candidate.isEmpty { return ConfigValTool(path: candidate, environment: environment) }
        }
        for directory in searchDirectories(environment: environment) {
            let candidate = "\(directory)/condor_config_val"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return ConfigValTool(path: candidate, environment: environment)
            }
        }
        return nil
    }

    /// Where ``locate(explicit:environment:)`` looks, in order: the PATH; then, only when
    /// ``htcondorContext(environment:)`` is not nil (condor_master's PATH may be minimal), `$CONDOR_LOCATION/bin`,
    /// the `bin` of a tarball release whose configuration it is (`<release>/etc/condor_config` or
    /// `<release>/etc/condor/condor_config`), `/usr/bin`, `/usr/local/bin`, `/opt/condor/bin`. Duplicates are dropped.
    public static func searchDirectories(environment: [String: String]) -> [String] {
        var directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        if htcondorContext(environment: environment) != nil {
            if let location = environment["CONDOR_LOCATION"], location.hasPrefix("/") { directories.append(location + "/bin") }
            if let config = environment["CONDOR_CONFIG"], config.hasPrefix("/") {
                var etc = PathText.deletingLastComponent(config)
                if PathText.lastComponent(etc) == "condor" { etc = PathText.deletingLastComponent(etc) }
                let release = PathText.deletingLastComponent(etc)
                directories.append(release == "/" ? "/bin" : release + "/bin")
            }
            directories += wellKnownDirectories
        }
        var seen = Set<String>()
        return directories.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// Where HTCondor's packages install condor_config_val.
    public static let wellKnownDirectories = ["/usr/bin", "/usr/local/bin", "/opt/condor/bin"]

    /// Why this process belongs to HTCondor, or nil: `CONDOR_INHERIT` (condor_master started it) or `CONDOR_CONFIG`
    /// (HTCondor's configuration is named) in the environment. Then HTCondor's configuration must be read.
    public static func htcondorContext(environment: [String: String]) -> String? {
        if let inherit = environment["CONDOR_INHERIT"], !inherit.isEmpty {
            return "CONDOR_INHERIT is set (condor_master started this process)"
        }
        if let config = environment["CONDOR_CONFIG"], !config.isEmpty {
            return "CONDOR_CONFIG is set (\(config))"
        }
        return nil
    }

    public var origin: String { path }

    /// `condor_config_val NAME`: the value on standard output; "Not defined: NAME" and exit status 1 otherwise.
    public func value(_ name: String) throws(CondorConfigError) -> String? {
        guard Self.isKnobName(name) else { throw CondorConfigError("'\(name)' is not a configuration name") }
        let result = try run([name], what: "reading \(name)")
        guard result.status == 0 else {
            if result.error.contains("Not defined") { return nil }
            throw CondorConfigError("\(path) \(name) failed (exit \(result.status)): \(result.error.prefix(300))")
        }
        var text = result.output
        if text.hasSuffix("\n") { text.removeLast() }
        let trimmed = text.trimmingSpaces()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// `condor_config_val -dump -expand PATTERN`, parsed (`NAME = value` lines and `NAME @=end … @end` blocks).
    /// With a ``subsystem``, a listed `SUBSYSTEM.X` also answers for `X` (it is what HTCondor's `param("X")` returns
    /// for that subsystem, even when `X` alone is not set) and is then left out.
    public func values(matching pattern: String) throws(CondorConfigError) -> [String: String] {
        let result = try run(["-dump", "-expand", pattern], what: "listing the knobs matching \(pattern)")
        guard result.status == 0 else {
            throw CondorConfigError("\(path) -dump failed (exit \(result.status)): \(result.error.prefix(300))")
        }
        let values = Self.parseDump(result.output)
        return subsystem.map { Self.applyingSubsystem($0, to: values) } ?? values
    }

    /// Folds `SUBSYSTEM.X` entries into `X` (case-insensitive; the prefixed value wins).
    static func applyingSubsystem(_ subsystem: String, to values: [String: String]) -> [String: String] {
        let prefix = subsystem.uppercased() + "."
        var result = values
        for (name, value) in values where name.uppercased().hasPrefix(prefix) && name.count > prefix.count {
            let bare = String(name.dropFirst(prefix.count))
            result[name] = nil
            for spelled in result.keys where spelled.uppercased() == bare.uppercased() { result[spelled] = nil }
            result[bare] = value
        }
        return result
    }

    /// Parses `condor_config_val -dump` output; values that are empty are left out.
    static func parseDump(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        while let line = lines.popFirst() {
            if line.hasPrefix("#") || line.allSatisfy(\.isWhitespace) { continue }
            if let range = line.firstRange(of: " @=") {
                let name = String(line[..<range.lowerBound])
                let terminator = "@" + line[range.upperBound...]
                var body: [String] = []
                while let next = lines.popFirst(), next != terminator {
                    body.append(String(next.drop { $0 == " " }))
                }
                if !body.isEmpty { values[name] = body.joined(separator: "\n") }
            } else if let range = line.firstRange(of: " = ") ?? line.firstRange(of: " =") {
                let name = String(line[..<range.lowerBound])
                let value = line[range.upperBound...].trimmingSpaces()
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

    /// The arguments of one run: `-subsystem NAME` first when a subsystem is set.
    func arguments(_ query: [String]) -> [String] {
        (subsystem.map { ["-subsystem", $0] } ?? []) + query
    }

    private func run(_ query: [String], what: String) throws(CondorConfigError) -> Outcome {
        let argv = arguments(query)
        let command = ([path] + argv).joined(separator: " ")
        do {
            let outcome = try BoundedProcess(path: path, arguments: argv, environment: environment, timeout: timeout).run()
            return Outcome(status: outcome.status, output: String(decoding: outcome.output, as: UTF8.self),
                           error: String(decoding: outcome.error, as: UTF8.self))
        } catch {
            switch error {
            case .cannotStart(let reason):
                throw CondorConfigError("cannot run \(path): \(reason); install HTCondor's condor_config_val or pass --condor-config-val PATH")
            case .timedOut:
                throw CondorConfigError("\(command) (\(what)) did not finish within \(Self.seconds(timeout)) s and was killed; "
                    + "check that HTCondor's configuration does not wait on the network or a lock (run the command by hand), "
                    + "or raise \(Self.timeoutVariable)")
            case .outputTooLarge:
                throw CondorConfigError("\(command) (\(what)) wrote more than 64 MiB and was killed; check the tool at \(path)")
            }
        }
    }

    private static func seconds(_ value: TimeInterval) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
