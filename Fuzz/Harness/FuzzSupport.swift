// Shared by the libFuzzer entry points (Fuzz/Entry, linked by scripts/fuzz) and the replay tests (Fuzz/Replay, in the
// normal build). A harness feeds one input to the same public function the daemon or the web app calls and checks
// what can be checked; a broken invariant is a `FuzzViolation` (the entry point turns it into a crash, the replay
// test into a failed expectation). A trap inside the code under test is a crash in both.
import Foundation

/// An invariant that does not hold for one input.
struct FuzzViolation: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Throws `FuzzViolation(message)` unless `condition` holds.
func fuzzExpect(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzViolation) {
    if !condition { throw FuzzViolation(message()) }
}

/// A short printable form of bytes, for messages.
func fuzzPreview(_ bytes: some Collection<UInt8>, limit: Int = 160) -> String {
    var text = ""
    for byte in bytes.prefix(limit) {
        if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
            text.append(Character(Unicode.Scalar(byte)))
        } else {
            text += "\\x" + String(byte, radix: 16).leftPadded(to: 2)
        }
    }
    return bytes.count > limit ? text + "…(\(bytes.count) bytes)" : text
}

/// A short printable form of text, for messages.
func fuzzPreview(_ text: String, limit: Int = 160) -> String { fuzzPreview(Array(text.utf8), limit: limit) }

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Checks on text that reaches a log line, an error message or `status.json`.
enum Printable {
    /// No control character (C0, DEL, C1), no line or paragraph separator, no bidirectional override.
    static func isPrintable(_ text: String) -> Bool {
        !text.unicodeScalars.contains { scalar in
            let value = scalar.value
            return value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                || (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
        }
    }

    /// Whether `token` is long and appears exactly once in `bytes` (with no character JSON would escape), so that a
    /// message containing it can only have copied it from that one place.
    static func isDistinctive(_ token: String, in bytes: [UInt8]) -> Bool {
        let needle = Array(token.utf8)
        guard needle.count >= 20, !needle.contains(UInt8(ascii: "\"")), !needle.contains(UInt8(ascii: "\\")),
              needle.allSatisfy({ $0 >= 0x20 }) else { return false }
        var count = 0
        var index = 0
        while index + needle.count <= bytes.count {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) { count += 1 }
            index += 1
        }
        return count == 1
    }
}
