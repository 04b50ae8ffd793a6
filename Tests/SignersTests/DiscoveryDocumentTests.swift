import Foundation
import Signers
import Testing

@Suite struct DiscoveryDocumentTests {
    @Test("the JWKS has sorted keys, unescaped slashes and no absent members")
    func jwksJSON() throws {
        let ec = try SigningKey.generate(algorithm: .es256, keyID: "site/ec").publicJWK
        let rsa = try SigningKey.generate(algorithm: .rs256, keyID: "site/rsa").publicJWK
        let set = JWKSet(keys: [ec, rsa])
        let data = set.jsonData()
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("\\/"))
        #expect(text.contains("\"kid\":\"site/ec\""))
        #expect(!text.contains("null"))

        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let keys = try #require(object["keys"] as? [[String: String]])
        #expect(Set(keys[0].keys) == ["kty", "kid", "use", "alg", "crv", "x", "y"])
        #expect(Set(keys[1].keys) == ["kty", "kid", "use", "alg", "n", "e"])

        // Members appear in sorted order.
        let ecText = try #require(text.range(of: "\"alg\":\"ES256\""))
        let order = ["\"alg\"", "\"crv\"", "\"kid\"", "\"kty\"", "\"use\"", "\"x\"", "\"y\""].map { name in
            text.range(of: name, range: ecText.lowerBound..<text.endIndex)!.lowerBound
        }
        #expect(order == order.sorted())

        #expect(try JSONDecoder().decode(JWKSet.self, from: data) == set)
    }

    @Test("the openid-configuration document uses jwks_uri and keeps slashes")
    func openIDConfigurationJSON() throws {
        let config = OpenIDConfiguration(issuer: "https://tokens.example.org/cms", jwksURI: "https://tokens.example.org/cms/jwks.json")
        let text = String(decoding: config.jsonData(), as: UTF8.self)
        #expect(text == #"{"issuer":"https://tokens.example.org/cms","jwks_uri":"https://tokens.example.org/cms/jwks.json"}"#)
        #expect(try JSONDecoder().decode(OpenIDConfiguration.self, from: config.jsonData()) == config)
    }
}
