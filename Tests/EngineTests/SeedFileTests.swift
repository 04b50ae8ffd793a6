import Foundation
import Testing
@testable import Engine

@Suite("The .top and .meta files")
struct SeedFileTests {
    private func object(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test("Replacing the refresh token keeps scopes, audience and unknown keys")
    func replacingKeepsOtherKeys() throws {
        let seed = SeedFile.parse(Array(#"{"refresh_token":"old-rt","scopes":"read:/a,write:/b","audience":"https://aud.example","x-vendor":{"k":[1,2]},"flag":true}"#.utf8))
        #expect(seed.refreshToken == "old-rt")
        let rotated = try object(seed.replacingRefreshToken("new-rt"))
        #expect(rotated["refresh_token"] as? String == "new-rt")
        #expect(rotated["scopes"] as? String == "read:/a,write:/b")
        #expect(rotated["audience"] as? String == "https://aud.example")
        #expect(rotated["flag"] as? Bool == true)
        let vendor = try #require(rotated["x-vendor"] as? [String: Any])
        #expect(vendor["k"] as? [Int] == [1, 2])
        #expect(rotated.count == 5)
        // The result parses back as a seed with the new token.
        #expect(SeedFile.parse(seed.replacingRefreshToken("new-rt")).refreshToken == "new-rt")
    }

    @Test("A local issuer's <user>@foo placeholder is opaque and has no refresh token")
    func opaqueSeed() throws {
        let bytes = Array("alice@foo".utf8)
        let seed = SeedFile.parse(bytes)
        #expect(seed == .opaque(bytes))
        #expect(seed.refreshToken == nil)
        let replaced = try object(seed.replacingRefreshToken("rt"))
        #expect(replaced.count == 1)
        #expect(replaced["refresh_token"] as? String == "rt")
    }

    @Test("A JSON seed without a string refresh token has none")
    func seedWithoutRefreshToken() {
        #expect(SeedFile.parse(Array(#"{"vault_token":"hvs.x"}"#.utf8)).refreshToken == nil)
        #expect(SeedFile.parse(Array(#"{"refresh_token":42}"#.utf8)).refreshToken == nil)
    }

    @Test("Client metadata exposes its fields but never prints the secret")
    func clientMetadata() throws {
        let secret = "s3cr3t-Value-9f8e7d"
        let meta = try ClientMetadata.parse(Array(#"{"client_id":"cid-123","client_secret":"\#(secret)","token_url":"https://idp.example/token","use_refresh_token":false,"extra":1}"#.utf8), path: "/c/alice/box.meta")
        #expect(meta.clientID == "cid-123")
        #expect(meta.clientSecret == secret)
        #expect(meta.tokenURL == "https://idp.example/token")
        #expect(meta.useRefreshToken == false)
        #expect(meta.object["extra"] == .integer(1))
        for text in [meta.description, "\(meta)", String(describing: meta), String(reflecting: meta)] {
            #expect(!text.contains(secret), "leaks the secret: \(text)")
            #expect(!text.contains("s3cr3t"), "leaks part of the secret: \(text)")
        }
        #expect(meta.description.contains("cid-123"))
    }

    @Test("use_refresh_token is true unless the file says false")
    func useRefreshTokenDefault() throws {
        #expect(try ClientMetadata.parse(Array(#"{"client_id":"c"}"#.utf8), path: "m").useRefreshToken)
        #expect(try ClientMetadata.parse(Array(#"{"use_refresh_token":true}"#.utf8), path: "m").useRefreshToken)
    }

    @Test("A .meta that is not a JSON object is a FormatError naming the file")
    func badMetadata() {
        let error = #expect(throws: FormatError.self) {
            try ClientMetadata.parse(Array("client_id=x".utf8), path: "/c/alice/box.meta")
        }
        #expect(error?.description.hasPrefix("/c/alice/box.meta: ") == true)
    }
}
