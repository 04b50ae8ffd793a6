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

    /// The scopes with placeholders replaced, split on white space.
    public func expand(_ values: [String: String]) -> [String] {
        var result = text
        for (name, value) in values { result = result.replacing("{\(name)}", with: value) }
        return result.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }
}
