import FoundationEssentials

/// A provider specification translated from HTCondor knobs: the same keys a `providers.d` fragment has, each
/// remembering the knob it came from. It becomes the same in-memory YAML mapping the fragment reader consumes, so
/// knobs and fragments share one validation; and it renders as a commented fragment for `import-condor-config`.
public struct KnobFragment: Sendable, Equatable {
    public var service: String
    public var kind: String
    /// condor_credd's sort of the service (it names the list knob in messages).
    public var credentialType: CondorCredentialType
    public var entries: [Entry]
    /// Problems found while translating (a knob Credmon cannot honour, a value of the wrong type).
    public var problems: [ConfigurationError]
    /// Comment lines for the rendered fragment (e.g. knobs that stay with condor_credd).
    public var notes: [String]
    /// For each fragment key absent from `entries`, the knob that would set it (for error messages).
    public var knobForKey: [String: String]

    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: Value
        /// Where the value came from: a knob name as spelled in the configuration, or a note for defaults.
        public var source: String
        public init(key: String, value: Value, source: String) {
            self.key = key
            self.value = value
            self.source = source
        }
    }

    public enum Value: Sendable, Equatable {
        case string(String), integer(Int), boolean(Bool), list([String])
    }

    public init(service: String, kind: String, credentialType: CondorCredentialType = .oauth2, entries: [Entry] = [],
                problems: [ConfigurationError] = [], notes: [String] = [], knobForKey: [String: String] = [:]) {
        self.service = service
        self.kind = kind
        self.credentialType = credentialType
        self.entries = entries
        self.problems = problems
        self.notes = notes
        self.knobForKey = knobForKey
    }

    /// Adds a key set by a knob (or by a default, named in `source`).
    public mutating func add(_ key: String, _ value: Value, source: String) {
        entries.append(Entry(key: key, value: value, source: source))
    }

    /// The value of a key, if the knobs set it.
    public func value(of key: String) -> Value? { entries.first { $0.key == key }?.value }

    /// The in-memory YAML mapping (`name`, `kind`, then the entries), as ``YAMLReader`` would compose the rendered text.
    public var mapping: YAMLNode.Mapping {
        var pairs: [(YAMLNode, YAMLNode)] = [
            (YAMLNode("name"), YAMLNode(service, .str, .doubleQuoted)),
            (YAMLNode("kind"), YAMLNode(kind, .str, .doubleQuoted)),
        ]
        for entry in entries { pairs.append((YAMLNode(entry.key), entry.value.node)) }
        return YAMLNode.Mapping(pairs)
    }

    /// The "file" knob-built providers and their errors name.
    public static func file(service: String, origin: String) -> String {
        "HTCondor configuration (\(origin)), service '\(service)'"
    }
}

extension KnobFragment.Value {
    var node: YAMLNode {
        switch self {
        case .string(let text): YAMLNode(text, .str, .doubleQuoted)
        case .integer(let number): YAMLNode(String(number), .int, .plain)
        case .boolean(let flag): YAMLNode(flag ? "true" : "false", .bool, .plain)
        case .list(let items): .sequence(YAMLNode.List(items.map { YAMLNode($0, .str, .doubleQuoted) }, .seq))
        }
    }

    /// The value as YAML flow text (strings always double-quoted, so nothing is re-typed on reading).
    var yaml: String {
        switch self {
        case .string(let text): Self.quote(text)
        case .integer(let number): String(number)
        case .boolean(let flag): flag ? "true" : "false"
        case .list(let items): "[" + items.map(Self.quote).joined(separator: ", ") + "]"
        }
    }

    /// A YAML double-quoted scalar: JSON's string escapes are valid YAML escapes, so Engine's JSON escaper serves.
    static func quote(_ text: String) -> String { JSONEscaping.quoted(text) }
}
