/// Typed, located access to the keys of one provider fragment (a YAML mapping).
///
/// Every accessor records what it read; a wrong type or a bad value becomes a ``ConfigurationError`` naming the file,
/// the line and the key, and ``finish()`` adds one error for every key nobody asked for. Nothing falls back to a
/// default silently: a key that is present must be valid.
public struct FragmentReader {
    /// The fragment's file path, for messages.
    public let file: String
    private var values: [String: YAMLNode] = [:]
    private var keyLines: [String: Int] = [:]
    private var consumed: Set<String> = []
    private var problems: [ConfigurationError] = []
    /// Warnings recorded with ``warn(_:_:fix:)``: the fragment is used, but the admin should know.
    public private(set) var warnings: [ConfigurationError] = []
    /// True when the mapping was translated from HTCondor's knobs rather than written as a fragment: kinds accept
    /// there, with a warning, values HTCondor accepts that a fragment may not have (contract: an issuer
    /// condor_credd routes submits to must always mint).
    public var fromHTCondorKnobs = false
    private let mappingLine: Int?

    /// Wraps a parsed mapping. Keys that are not plain strings, and repeated keys, are errors.
    public init(file: String, mapping: YAMLNode.Mapping) {
        self.file = file
        self.mappingLine = mapping.mark?.line
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string, keyNode.scalar != nil else {
                problems.append(ConfigurationError(file: file, line: keyNode.mark?.line, problem: "a key must be a plain name"))
                continue
            }
            if values[key] != nil {
                problems.append(ConfigurationError(file: file, line: keyNode.mark?.line, key: key,
                                                   problem: "appears twice", fix: "keep one"))
            }
            values[key] = value
            keyLines[key] = keyNode.mark?.line ?? value.mark?.line
        }
    }

    /// The errors recorded so far.
    public var errors: [ConfigurationError] { problems }

    /// Whether the fragment has `key`.
    public func has(_ key: String) -> Bool { values[key] != nil }

    /// The line of `key`, or of the mapping when the key is absent.
    public func line(of key: String) -> Int? { keyLines[key] ?? mappingLine }

    /// Records an error about `key` (or the whole fragment when nil).
    public mutating func fail(_ key: String?, _ problem: String, fix: String? = nil) {
        problems.append(ConfigurationError(file: file, line: key.flatMap { line(of: $0) } ?? mappingLine,
                                           key: key, problem: problem, fix: fix))
    }

    /// Records a warning about `key`: the value is used as written.
    public mutating func warn(_ key: String?, _ problem: String, fix: String? = nil) {
        warnings.append(ConfigurationError(file: file, line: key.flatMap { line(of: $0) } ?? mappingLine,
                                           key: key, problem: problem, fix: fix, severity: .warning))
    }

    private mutating func node(_ key: String) -> YAMLNode? {
        consumed.insert(key)
        guard let node = values[key] else { return nil }
        if case .scalar(let scalar) = node, scalar.tag == .null || (scalar.style == .plain && (scalar.string == "~" || scalar.string == "null" || scalar.string.isEmpty)) {
            return nil
        }
        return node
    }

    /// A string value (a quoted or plain scalar that is not a number or boolean is fine; numbers are refused).
    public mutating func string(_ key: String, required: Bool = false, example: @autoclosure () -> String? = nil) -> String? {
        guard let node = node(key) else {
            if required { fail(key, "is required", fix: example().map { "add e.g. \(key): \($0)" }) }
            return nil
        }
        guard case .scalar(let scalar) = node else {
            fail(key, "expected a string, found a \(Self.shape(of: node))", fix: example().map { "write e.g. \(key): \($0)" })
            return nil
        }
        if scalar.style == .plain, node.bool != nil || node.int != nil || node.float != nil {
            fail(key, "expected a string, found \(scalar.string)", fix: "quote it if you mean the text")
            return nil
        }
        return scalar.string
    }

    /// An integer within `range`.
    public mutating func integer(_ key: String, in range: ClosedRange<Int>, unit: String = "") -> Int? {
        guard let node = node(key) else { return nil }
        return wholeNumber(node, key: key, in: range, expected: "expected a whole number", unit: unit)
    }

    /// `node` as a plain whole number within `range`, else an error about `key` (`expected` leads its text).
    private mutating func wholeNumber(_ node: YAMLNode, key: String, in range: ClosedRange<Int>, expected: String, unit: String) -> Int? {
        guard let value = node.int, node.scalar?.style == .plain else {
            fail(key, "\(expected)\(unit.isEmpty ? "" : " of \(unit)"), found \(Self.render(node))")
            return nil
        }
        guard range.contains(value) else {
            fail(key, "\(value) is out of range", fix: "use a value from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// A list of whole numbers, each within `range`: a YAML sequence, or one number.
    public mutating func integerList(_ key: String, in range: ClosedRange<Int>, unit: String = "") -> [Int]? {
        guard let node = node(key) else { return nil }
        let items: [YAMLNode]
        switch node {
        case .sequence(let sequence): items = Array(sequence)
        case .scalar: items = [node]
        default:
            fail(key, "expected a list of whole numbers\(unit.isEmpty ? "" : " of \(unit)"), found a \(Self.shape(of: node))")
            return nil
        }
        var values: [Int] = []
        for item in items {
            guard let value = wholeNumber(item, key: key, in: range, expected: "every item must be a whole number", unit: unit) else { return nil }
            values.append(value)
        }
        return values
    }

    /// A number within `range`.
    public mutating func number(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let node = node(key) else { return nil }
        guard let value = node.float ?? node.int.map(Double.init), node.scalar?.style == .plain else {
            fail(key, "expected a number, found \(Self.render(node))")
            return nil
        }
        guard range.contains(value) else {
            fail(key, "\(value) is out of range", fix: "use a value from \(range.lowerBound) to \(range.upperBound)")
            return nil
        }
        return value
    }

    /// A boolean (`true` or `false`; a quoted "false" is refused, not read as true).
    public mutating func bool(_ key: String) -> Bool? {
        guard let node = node(key) else { return nil }
        guard let value = node.bool, node.scalar?.style == .plain else {
            fail(key, "expected true or false, found \(Self.render(node))")
            return nil
        }
        return value
    }

    /// One of a fixed set of strings.
    public mutating func choice(_ key: String, of choices: [String]) -> String? {
        guard let value = string(key) else { return nil }
        guard choices.contains(value) else {
            fail(key, "'\(value)' is not one of \(choices.joined(separator: ", "))")
            return nil
        }
        return value
    }

    /// A list of strings: a YAML sequence, or one string holding space-separated items.
    public mutating func stringList(_ key: String) -> [String]? {
        guard let node = node(key) else { return nil }
        switch node {
        case .sequence(let sequence):
            var items: [String] = []
            for item in sequence {
                guard let scalar = item.scalar, item.int == nil || scalar.style != .plain else {
                    fail(key, "every item must be a string, found \(Self.render(item))")
                    return nil
                }
                items.append(scalar.string)
            }
            return items
        case .scalar(let scalar):
            return scalar.string.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        default:
            fail(key, "expected a list of strings, found a \(Self.shape(of: node))")
            return nil
        }
    }

    /// Ends reading: every key nobody asked for is an error. Returns all errors.
    public mutating func finish() -> [ConfigurationError] {
        for key in values.keys.sorted() where !consumed.contains(key) {
            let known = consumed.sorted()
            let suggestion = known.min { Self.distance($0, key) < Self.distance($1, key) }
            let fix = suggestion.flatMap { Self.distance($0, key) <= 3 ? "did you mean '\($0)'?" : nil }
                ?? "known keys: \(known.joined(separator: ", "))"
            problems.append(ConfigurationError(file: file, line: keyLines[key], key: key, problem: "unknown key", fix: fix))
        }
        consumed.formUnion(values.keys)
        return problems
    }

    private static func shape(of node: YAMLNode) -> String {
        switch node {
        case .mapping: "mapping"
        case .sequence: "list"
        case .scalar: "value"
        }
    }

    private static func render(_ node: YAMLNode) -> String {
        if let scalar = node.scalar { return "'\(scalar.string)'" }
        return "a \(shape(of: node))"
    }

    /// Edit distance, for "did you mean" suggestions.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
