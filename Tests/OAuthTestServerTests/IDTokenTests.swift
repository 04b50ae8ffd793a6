import Foundation
import Testing
@testable import OAuthTestServer

@Suite("ID tokens (OpenID Connect) of the authorization code grant")
struct IDTokenTests {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test("HMAC-SHA256 matches RFC 4231's test cases 1, 2 and 6 (a key longer than a block)")
    func hmacVectors() {
        #expect(hex(SHA256.hmac(key: [UInt8](repeating: 0x0B, count: 20), message: Array("Hi There".utf8)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(hex(SHA256.hmac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(hex(SHA256.hmac(key: [UInt8](repeating: 0xAA, count: 131),
                                message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test("An ID token carries iss, sub, aud, the request's nonce (or the override), and an HS256 signature by the client secret")
    func idTokenClaims() throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = OAuthServer.Client.default
        let token = server.idToken(subject: "alice", nonce: "n-1", client: client)
        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let payload = try #require(Data(base64Encoded: Self.padded(parts[1])))
        let claims = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        #expect(claims["iss"] as? String == server.issuer && claims["sub"] as? String == "alice")
        #expect(claims["aud"] as? String == client.id && claims["nonce"] as? String == "n-1")
        let signature = SHA256.hmac(key: Array(client.secret.utf8), message: Array((parts[0] + "." + parts[1]).utf8))
        #expect(base64URL(signature) == parts[2])
    }

    static func padded(_ text: String) -> String {
        let base = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return base + String(repeating: "=", count: (4 - base.count % 4) % 4)
    }
}
