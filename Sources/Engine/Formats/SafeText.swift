/// Text from outside (an IdP's error answer, a header, a file name) made safe to put in a log line, an error
/// message or the status file: control characters escaped, length bounded.
public enum SafeText {
    /// `text` with every control character (C0, DEL, C1, and the Unicode line and paragraph separators) written as
    /// `\n`, `\r`, `\t` or `\u{XX}`, and cut to `limit` characters (an ellipsis marks the cut). A line of it can
    /// never forge a second log line or move a terminal's cursor.
    public static func printable(_ text: String, limit: Int = .max) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            let piece: String
            switch scalar {
            case "\n": piece = "\\n"
            case "\r": piece = "\\r"
            case "\t": piece = "\\t"
            case "\\": piece = "\\\\"
            default: piece = isControl(scalar) ? "\\u{" + String(scalar.value, radix: 16) + "}" : String(scalar)
            }
            guard count + piece.count <= limit else {
                result += "…"
                break
            }
            result += piece
            count += piece.count
        }
        return result
    }

    /// Whether `text` needs ``printable(_:limit:)`` at all (the fast path of the log handler).
    public static func isPrintable(_ text: String) -> Bool {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") }) { return true }
        return !text.unicodeScalars.contains { isControl($0) || $0 == "\\" }
    }

    /// An RFC 6749 §5.2 `error` code if `text` is one: 1 to 64 characters of `%x20-21 / %x23-5B / %x5D-7E`; nil
    /// otherwise (the answer is then not treated as an OAuth error).
    public static func oauthErrorCode(_ text: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= 64,
              text.utf8.allSatisfy({ ($0 >= 0x20 && $0 <= 0x21) || ($0 >= 0x23 && $0 <= 0x5B) || ($0 >= 0x5D && $0 <= 0x7E) })
        else { return nil }
        return text
    }

    /// Whether every byte is a visible ASCII character or a space (RFC 6749 Appendix A's VSCHAR, %x20-7E): the
    /// character set of access and refresh tokens.
    public static func isVisibleASCII(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (value >= 0x7F && value <= 0x9F) || value == 0x2028 || value == 0x2029
            || (value >= 0x202A && value <= 0x202E) || (value >= 0x2066 && value <= 0x2069)
    }
}
