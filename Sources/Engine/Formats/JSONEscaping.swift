/// Writes JSON string literals straight into a byte buffer, for the files Credmon renders by hand on hot paths
/// (access tokens, claims, the status file).
public enum JSONEscaping {
    /// Appends `text` as a quoted JSON string (escaping `"`, `\` and control characters).
    public static func append(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        // Most text (a JWT, a user name, a URL) needs no escape: one copy instead of a byte at a time, checked over
        // the string's own storage when it has one (a native string).
        let plain = text.utf8.withContiguousStorageIfAvailable { !$0.contains(where: needsEscape) }
            ?? !text.utf8.contains(where: needsEscape)
        if plain {
            bytes.append(contentsOf: text.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether `byte` cannot stand as it is inside a JSON string.
    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool { byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") }

    /// `text` as a quoted JSON string.
    public static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        append(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Lowercase hexadecimal digits.
    public static let hexDigits = Array("0123456789abcdef".utf8)
}
