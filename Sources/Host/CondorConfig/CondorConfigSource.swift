/// Where HTCondor configuration values come from: HTCondor's own parser (``ConfigValTool``) or a fixed table.
///
/// Names are case-insensitive, as in HTCondor. A knob that is unset or expands to the empty string is absent
/// (contract §C.0.1), so implementations return nil for both.
public protocol CondorConfigSource: Sendable {
    /// The expanded value of one knob (defaults of HTCondor's parameter table included), or nil.
    func value(_ name: String) throws(CondorConfigError) -> String?

    /// Every defined knob whose name matches `pattern` (a case-insensitive regular expression, unanchored, as
    /// `condor_config_val -dump` takes it), expanded, keyed by the name as the configuration spells it.
    func values(matching pattern: String) throws(CondorConfigError) -> [String: String]

    /// A short description of the source, for messages (e.g. the tool's path).
    var origin: String { get }
}

/// HTCondor's configuration could not be read.
public struct CondorConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A fixed set of knobs (tests, and re-reading what `import-condor-config` wrote).
public struct StaticConfigSource: CondorConfigSource {
    private var knobs: [String: (name: String, value: String)]

    public init(_ knobs: [String: String]) {
        var table: [String: (name: String, value: String)] = [:]
        for (name, value) in knobs { table[name.uppercased()] = (name, value) }
        self.knobs = table
    }

    public func value(_ name: String) -> String? {
        guard let value = knobs[name.uppercased()]?.value, !value.isEmpty else { return nil }
        return value
    }

    public func values(matching pattern: String) throws(CondorConfigError) -> [String: String] {
        let expression: Regex<AnyRegexOutput>
        do { expression = try Regex(pattern).ignoresCase() } catch { throw CondorConfigError("bad pattern \(pattern)") }
        var result: [String: String] = [:]
        for (_, entry) in knobs where !entry.value.isEmpty && entry.name.contains(expression) {
            result[entry.name] = entry.value
        }
        return result
    }

    public var origin: String { "fixed configuration" }
}
