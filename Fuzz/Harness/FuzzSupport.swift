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
