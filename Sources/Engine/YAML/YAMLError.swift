/// Why a text is not YAML the reader accepts: the line it went wrong on (when known) and a one-phrase summary
/// (libyaml's own problem text for syntax errors, as Yams reported them).
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line, or nil when the problem has no one place (a repeated key, an unreadable character).
    public var line: Int?
    public var summary: String
    /// Whether the reader's node or depth limit was reached (libyaml found nothing wrong).
    public var isLimit: Bool

    public init(line: Int?, summary: String, isLimit: Bool = false) {
        self.line = line
        self.summary = summary
        self.isLimit = isLimit
    }

    public var description: String { line.map { "line \($0): \(summary)" } ?? summary }

    /// Yams' text for a reader error (a character YAML forbids): `line:column: error: reader: problem:` then the
    /// line and a caret under the column (UTF-16 columns, as Yams counted them).
    static func reader(problem: String, byteOffset: Int, value: Int32, in text: String) -> YAMLError {
        let index = text.utf8.index(text.utf8.startIndex, offsetBy: byteOffset, limitedBy: text.utf8.endIndex)?
            .samePosition(in: text)
        guard let index, index < text.endIndex else {
            let offset = index.map { text.distance(from: text.startIndex, to: $0) }
            return YAMLError(line: nil, summary: "\(problem) at offset: \(String(describing: offset)), value: \(value)")
        }
        var lineNumber = 0
        var lineStart = text.startIndex
        var cursor = text.startIndex
        while cursor < index {
            let character = text[cursor]
            cursor = text.index(after: cursor)
            if Self.isLineBreak(character) {
                lineNumber += 1
                lineStart = cursor
            }
        }
        var lineEnd = index
        while lineEnd < text.endIndex {
            let character = text[lineEnd]
            lineEnd = text.index(after: lineEnd)
            if Self.isLineBreak(character) { break }
        }
        let column = text.utf16.distance(from: lineStart, to: index)
        var contents = String(text[lineStart..<lineEnd])
        if !contents.hasSuffix("\n") { contents += "\n" }
        let summary = "\(lineNumber + 1):\(column + 1): error: reader: \(problem):\n" + contents
            + String(repeating: " ", count: column) + "^"
        return YAMLError(line: nil, summary: summary)
    }

    /// NSString's line separators (Yams found lines with `getLineStart`).
    private static func isLineBreak(_ character: Character) -> Bool {
        character == "\n" || character == "\r" || character == "\r\n" || character == "\u{85}"
            || character == "\u{2028}" || character == "\u{2029}"
    }
}
