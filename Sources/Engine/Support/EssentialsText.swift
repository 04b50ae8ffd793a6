import Glibc

/// Text operations FoundationEssentials lacks, with Foundation's results, for the targets that link it only.
extension StringProtocol {
    /// `trimmingCharacters(in: .whitespaces)`: spaces (Unicode Zs) and tabs off both ends.
    package func trimmingSpaces() -> String { trimming(where: TextSets.isSpace) }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`: spaces, tabs and line breaks off both ends.
    package func trimmingSpacesAndNewlines() -> String { trimming(where: TextSets.isSpaceOrNewline) }

    /// The text without the leading and trailing Unicode scalars `drop` accepts.
    package func trimming(where drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !drop($0) })!
        return String(scalars[first...last])
    }

    /// `padding(toLength:withPad: " ", startingAt: 0)`: cut or filled with spaces to `length` UTF-16 units.
    package func padded(toLength length: Int) -> String {
        let units = utf16.count
        if units >= length { return String(decoding: utf16.prefix(length), as: UTF16.self) }
        return String(self) + String(repeating: " ", count: length - units)
    }
}

/// Foundation's character sets, as predicates.
package enum TextSets {
    /// `CharacterSet.whitespaces`: Unicode general category Zs, and the tab.
    package static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
    }

    /// `CharacterSet.whitespacesAndNewlines`: the above, U+000A–U+000D, U+0085, and the line and paragraph separators.
    package static func isSpaceOrNewline(_ scalar: Unicode.Scalar) -> Bool {
        isSpace(scalar) || (0x0A...0x0D).contains(scalar.value) || scalar.value == 0x85
            || scalar.properties.generalCategory == .lineSeparator || scalar.properties.generalCategory == .paragraphSeparator
    }
}

/// printf-style formatting of one number (`String(format:)` for the formats this package uses).
package enum CFormat {
    /// `String(format: format, value)` for a `double` conversion such as `%1.15E`.
    package static func double(_ format: String, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let needed = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
        if needed >= buffer.count {
            buffer = [CChar](repeating: 0, count: Int(needed) + 1)
            _ = withVaList([value]) { vsnprintf(&buffer, buffer.count, format, $0) }
        }
        return String(cString: buffer)
    }
}

/// Percent-encoding (RFC 3986) without Foundation's `CharacterSet`.
package enum PercentEncoding {
    /// `%XX` with upper-case hex digits (`String(format: "%%%02X", byte)`).
    package static func escape(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0x0F)])
    }

    /// `removingPercentEncoding`: nil when a `%` is not followed by two hex digits or the bytes are not UTF-8.
    package static func decode(_ text: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
