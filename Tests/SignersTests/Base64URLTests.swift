import Foundation
import Signers
import Testing

@Suite struct Base64URLTests {
    @Test("encoding matches Foundation's base64 with the URL alphabet and no padding")
    func matchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let data = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let expected = data.base64EncodedString()
                .replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(data) == expected)
            #expect(Base64URL.decode(expected) == data)
        }
    }

    @Test("decoding refuses padding, the standard alphabet, whitespace and impossible lengths",
          arguments: ["AA==", "A", "AAAAA", "a+b/", "AA AA", "AA\n", "é", "AB"])
    func refusesInvalid(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test("decoding accepts the URL alphabet")
    func acceptsURLAlphabet() {
        #expect(Base64URL.decode("-_8") == Data([0xFB, 0xFF]))
        #expect(Base64URL.decode("") == Data())
    }
}
