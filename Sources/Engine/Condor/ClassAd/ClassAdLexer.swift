/// One token of a ClassAd expression.
struct ClassAdToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case integer(Int64)
        case real(Double)
        case string(String)
        /// A bare name (attribute, function or keyword), as written.
        case name(String)
        /// A single-quoted attribute name (`'Username'`), unescaped.
        case quotedName(String)
        /// An operator or punctuation of the subset (`(`, `&&`, `=?=`…).
        case symbol(String)
        /// Punctuation of ClassAd syntax outside the subset (`{`, `[`, `.`, `&`…); the parser names it.
        case unsupported(String)
        case end
    }

    var kind: Kind
    /// Byte offset in the expression.
    var offset: Int
    /// The token as written (for messages).
    var text: String
}

/// Splits an expression into tokens with the lexical rules of HTCondor's new-ClassAd parser.
struct ClassAdLexer {
    let source: String
    let bytes: [UInt8]
    var position = 0

    init(_ source: String) {
        self.source = source
        self.bytes = Array(source.utf8)
    }

    static let symbols = ["=?=", "=!=", "<=", ">=", "==", "!=", "&&", "||", "(", ")", ",", "?", ":", "+", "-", "*", "/", "%", "!", "<", ">"]
    /// Read before the symbols, so that `<<` is not `<` `<`.
    static let unsupportedShifts = [">>>", "<<", ">>"]
    static let unsupportedSymbols = ["{", "}", "[", "]", ".", "&", "|", "^", "~", "=", ";"]

    func error(_ offset: Int, _ construct: String, _ problem: String, _ fix: String) -> ClassAdExpressionError {
        ClassAdExpressionError(expression: source, offset: offset, construct: construct, problem: problem, fix: fix)
    }

    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// All tokens, ending with `.end`.
    mutating func tokens() throws(ClassAdExpressionError) -> [ClassAdToken] {
        var out: [ClassAdToken] = []
        while true {
            let token = try next()
            out.append(token)
            if token.kind == .end { return out }
        }
    }

    mutating func next() throws(ClassAdExpressionError) -> ClassAdToken {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C].contains(bytes[position]) { position += 1 }
        let start = position
        guard position < bytes.count else { return ClassAdToken(kind: .end, offset: start, text: "end of expression") }
        let byte = bytes[position]
        if byte == UInt8(ascii: "/"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "/") || bytes[position + 1] == UInt8(ascii: "*") {
            throw error(start, text(start..<(start + 2)), "comments are not supported", "remove the comment")
        }
        if isDigit(byte) || (byte == UInt8(ascii: ".") && position + 1 < bytes.count && isDigit(bytes[position + 1])) {
            return try number()
        }
        if isNameStart(byte) {
            while position < bytes.count, isNameStart(bytes[position]) || isDigit(bytes[position]) { position += 1 }
            return ClassAdToken(kind: .name(text(start..<position)), offset: start, text: text(start..<position))
        }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            let value = try quoted(closing: byte)
            let kind: ClassAdToken.Kind = byte == UInt8(ascii: "\"") ? .string(value) : .quotedName(value)
            return ClassAdToken(kind: kind, offset: start, text: text(start..<position))
        }
        for symbol in Self.unsupportedShifts where matches(symbol) {
            position += symbol.utf8.count
            return ClassAdToken(kind: .unsupported(symbol), offset: start, text: symbol)
        }
        for symbol in Self.symbols where matches(symbol) {
            position += symbol.utf8.count
            return ClassAdToken(kind: .symbol(symbol), offset: start, text: symbol)
        }
        for symbol in Self.unsupportedSymbols where matches(symbol) {
            position += symbol.utf8.count
            return ClassAdToken(kind: .unsupported(symbol), offset: start, text: symbol)
        }
        // One whole UTF-8 character, for the message.
        var end = position + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        throw error(start, text(start..<end), "unexpected character", "remove it or quote it in a string literal")
    }

    func matches(_ symbol: String) -> Bool {
        let utf8 = Array(symbol.utf8)
        return position + utf8.count <= bytes.count && bytes[position..<(position + utf8.count)].elementsEqual(utf8)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
    }

    /// `digits[.digits][e[+-]digits]` or `.digits[e[+-]digits]`; an integer out of Int64's range is refused
    /// (HTCondor reads it as 0), as is a hexadecimal literal (HTCondor reads `0x1F` as 0).
    mutating func number() throws(ClassAdExpressionError) -> ClassAdToken {
        let start = position
        var isReal = false
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        if position < bytes.count, bytes[position] == UInt8(ascii: "x") || bytes[position] == UInt8(ascii: "X"),
           position - start == 1, bytes[start] == UInt8(ascii: "0") {
            throw error(start, text(start..<min(bytes.count, position + 1)), "hexadecimal integers are not supported (HTCondor reads them as 0)",
                        "write the number in decimal")
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isReal = true
            position += 1
            let digits = position
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            if position == digits {
                throw error(start, text(start..<position), "a real number needs digits after the decimal point", "write e.g. 3.0")
            }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isReal = true
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            let digits = position
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
            if position == digits {
                throw error(start, text(start..<position), "an exponent needs digits", "write e.g. 1e3")
            }
        }
        let literal = text(start..<position)
        if isReal {
            guard let value = Double(literal) else {
                throw error(start, literal, "not a number", "write a decimal number")
            }
            return ClassAdToken(kind: .real(value), offset: start, text: literal)
        }
        guard let value = Int64(literal) else {
            throw error(start, literal, "integer out of range of 64-bit integers (HTCondor reads most such literals as 0)",
                        "use an integer between -9223372036854775807 and 9223372036854775807 (the smallest is -9223372036854775807 - 1)")
        }
        return ClassAdToken(kind: .integer(value), offset: start, text: literal)
    }

    /// A string (`"…"`) or quoted name (`'…'`) with ClassAd's escapes (`\n`, `\t`, `\"`, octal `\101`…; any other
    /// escaped character stands for itself). `\0` and text that is not UTF-8 after unescaping are refused.
    mutating func quoted(closing: UInt8) throws(ClassAdExpressionError) -> String {
        let start = position
        position += 1
        var out: [UInt8] = []
        while true {
            guard position < bytes.count else {
                throw error(start, text(start..<min(bytes.count, start + 20)), "unterminated \(closing == UInt8(ascii: "\"") ? "string" : "quoted name")",
                            "close it with \(closing == UInt8(ascii: "\"") ? "\"" : "'")")
            }
            let byte = bytes[position]
            position += 1
            if byte == closing { break }
            guard byte == UInt8(ascii: "\\") else { out.append(byte); continue }
            guard position < bytes.count else { continue }   // reported as unterminated on the next turn
            let escaped = bytes[position]
            position += 1
            switch escaped {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                // \[0-3]oo, \oo or \o, as HTCondor's convert_escapes.
                var digits = [escaped]
                let limit = escaped <= UInt8(ascii: "3") ? 3 : 2
                while digits.count < limit, position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "7") {
                    digits.append(bytes[position])
                    position += 1
                }
                let value = digits.reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
                guard value != 0 else {
                    throw error(position - digits.count - 1, "\\" + String(decoding: digits, as: UTF8.self),
                                "a NUL character is not allowed in a string", "remove the \\0 escape")
                }
                out.append(UInt8(truncatingIfNeeded: value))
            default: out.append(escaped)
            }
        }
        guard let value = String(validating: out, as: UTF8.self) else {
            throw error(start, text(start..<position), "the escapes make text that is not UTF-8", "write the characters themselves")
        }
        return value
    }
}
