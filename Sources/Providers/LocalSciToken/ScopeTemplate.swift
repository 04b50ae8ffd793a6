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

    public init(_ text: String) { self.text = text }

    /// The scopes with placeholders replaced, split on white space. One pass over the text (this runs for every
    /// token a local issuer signs); a `{name}` without a value is left as it is, and a value is not expanded again.
    public func expand(_ values: [String: String]) -> [String] {
        guard text.utf8.contains(UInt8(ascii: "{")) else {
            return text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        var result = ""
        var rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                rest = rest[open...]
                break
            }
            let name = rest[rest.index(after: open)..<close]
            if let value = values[String(name)] {
                result += value
            } else {
                result += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        result += rest
        return result.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }
}
