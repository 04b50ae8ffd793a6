import Foundation
import Testing
@testable import Engine

@Suite("JSON string literals written by hand")
struct JSONEscapingTests {
    @Test("Text that needs no escape is copied whole; quotes, backslashes and control characters are escaped; the result parses back", arguments: [
        "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln", "", "zoë ✓", "say \"hi\"", "back\\slash", "line\nbreak\r\ttab",
        "\u{1}\u{1f}\u{7f}", "mixed \"ü\"\n\\",
    ])
    func roundTrips(text: String) throws {
        var bytes: [UInt8] = [0x5B]
        JSONEscaping.append(text, to: &bytes)
        bytes.append(0x5D)
        let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String]
        #expect(parsed == [text])
        #expect(!bytes.contains { $0 < 0x20 }, "no raw control character")
        #expect(JSONEscaping.quoted(text) == String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self))
    }
}
