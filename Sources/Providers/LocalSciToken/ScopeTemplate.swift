/// A scope template such as `read:/user/{username} write:/user/{username}`.
/// Only the named placeholders are allowed; anything else in braces is a configuration error at load time.
public struct ScopeTemplate: Sendable, Equatable {
    public let text: String

    /// Checks that every `{…}` in `text` is one of `placeholders`; returns the offending placeholder otherwise.
    public static func validate(_ text: String, placeholders: Set<String>) -> String? {
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { return String(rest[open...]) }
            let name = String(rest[rest.index(after: open)..<close])
            if !placeholders.contains(name) { return "{\(name)}" }
            rest = rest[rest.index(after: close)...]
        }
        return rest.contains("}") ? "}" : nil
    }

    /// The text cut at its placeholders once (a local issuer expands its template for every token it signs).
    private let parts: [Part]

    private enum Part: Sendable, Equatable {
        case literal(String)
        /// `{name}`: the name, and the text to keep when no value is given.
        case placeholder(name: String, verbatim: String)
    }

    public init(_ text: String) {
        self.text = text
        parts = Self.parts(of: text)
    }

    public static func == (lhs: ScopeTemplate, rhs: ScopeTemplate) -> Bool { lhs.text == rhs.text }

    private static func parts(of text: String) -> [Part] {
        var parts: [Part] = []
        var rest = text[...]
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
            parts.append(.placeholder(name: String(rest[rest.index(after: open)..<close]), verbatim: String(rest[open...close])))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.literal(String(rest))) }
        return parts
    }

    /// The scopes with placeholders replaced, split on white space (spaces and tabs). A `{name}` without a value is
    /// left as it is, and a value is not expanded again.
    public func expand(_ values: [String: String]) -> [String] {
        var expanded: [UInt8] = []
        expanded.reserveCapacity(text.utf8.count + 32)
        for part in parts {
            switch part {
            case .literal(let literal):
                expanded.append(contentsOf: literal.utf8)
            case .placeholder(let name, let verbatim):
                expanded.append(contentsOf: (values[name] ?? verbatim).utf8)
            }
        }
        return expanded.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            .map { String(decoding: $0, as: UTF8.self) }
    }
}
