/// Why a `ClassAdExpression` could not be read: a syntax error, or a construct outside the evaluated subset.
/// The description names the expression, the position and token or construct, and what to do.
public struct ClassAdExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The expression text (cut to a printable preview).
    public var expression: String
    /// The byte offset (from 0) of the offending token in the expression.
    public var offset: Int
    /// The token, function or construct at fault (e.g. `length()`, `{`, `MY.Username`).
    public var construct: String
    /// What is wrong.
    public var problem: String
    /// What to do about it.
    public var fix: String

    public init(expression: String, offset: Int, construct: String, problem: String, fix: String) {
        self.expression = Self.preview(expression)
        self.offset = offset
        self.construct = Self.preview(construct, limit: 40)
        // Both may quote tokens of the expression: no control character reaches a log line.
        self.problem = Self.printable(problem, limit: 300)
        self.fix = Self.printable(fix, limit: 300)
    }

    public var description: String {
        "ClassAd expression \"\(expression)\": \(problem) at offset \(offset) (\(construct)); \(fix)"
    }

    /// Printable text of at most about `limit` characters: control, line-separator and bidirectional-override
    /// characters, backslashes and double quotes escaped (`\u{…}`, `\\`, `\"`).
    static func preview(_ text: String, limit: Int = 120) -> String { escaped(text, limit: limit, quotes: true) }

    /// As `preview`, with backslashes and quotes left as they are (for the problem and fix texts).
    static func printable(_ text: String, limit: Int) -> String { escaped(text, limit: limit, quotes: false) }

    static func escaped(_ text: String, limit: Int, quotes: Bool) -> String {
        var out = ""
        var length = 0
        for scalar in text.unicodeScalars {
            if length >= limit { return out + "…" }
            let value = scalar.value
            let piece: String
            if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) {
                piece = "\\u{\(String(value, radix: 16))}"
            } else if quotes && (scalar == "\\" || scalar == "\"") {
                piece = "\\" + String(scalar)
            } else {
                piece = String(scalar)
            }
            out += piece
            length += piece.unicodeScalars.count
        }
        return out
    }
}
