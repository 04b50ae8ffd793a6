import Engine
import Foundation
import LocalSciToken
import Signers
import Testing

@Suite("Minting local SciTokens")
struct MintingTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000.75)
    static let issuedAt = 1_700_000_000

    private func provider(_ yaml: String, name: String = "scitokens") throws -> (Setup, LocalSciTokenProvider) {
        let setup = try Setup()
        try setup.fragment("\(name).yaml", yaml)
        return (setup, try setup.provider(name))
    }

    private func isLowercaseUUID(_ text: String?) -> Bool {
        guard let text, let uuid = UUID(uuidString: text) else { return false }
        return text == uuid.uuidString.lowercased()
    }

    @Test("scitoken:2.0 claims, header and a signature that verifies")
    func scitoken2() throws {
        let (_, provider) = try provider("""
            kind: local-scitoken
            audience: ["https://storage.example.org", "https://other.example.org"]
            lifetime: 900
            """)
        let (update, file, jwt) = try mint(provider, for: "alice", at: Self.now)
        #expect(file.format == .json)
        #expect(file.expiresIn == 900)
        #expect(Set(file.object.keys) == ["access_token", "expires_in"])

        #expect(jwt.string("sub") == "alice")
        #expect(jwt.string("scope") == "read:/user/alice write:/user/alice")
        #expect(jwt.string("iss") == "https://\(Setup.hostName)")
        #expect(jwt.int("iat") == Self.issuedAt)
        #expect(jwt.int("nbf") == jwt.int("iat"))
        #expect(jwt.int("exp") == Self.issuedAt + 900)
        #expect(isLowercaseUUID(jwt.string("jti")), "\(String(describing: jwt.string("jti")))")
        #expect(jwt.claims["aud"] as? [String] == ["https://storage.example.org", "https://other.example.org"])
        #expect(jwt.string("ver") == "scitoken:2.0")
        #expect(jwt.claims["wlcg.ver"] == nil)

        #expect(jwt.header["alg"] as? String == "ES256")
        #expect(jwt.header["kid"] as? String == "local")
        #expect(jwt.header["typ"] as? String == "JWT")

        let verified = try #require(CompactJWS.verifiedPayload(of: jwt.token, with: provider.publicJWK))
        #expect(verified == jwt.payloadData)

        #expect(update.validity == TokenValidity(issuedAt: Date(timeIntervalSince1970: Double(Self.issuedAt)),
                                                 expiresAt: Date(timeIntervalSince1970: Double(Self.issuedAt + 900))))
        #expect(update.rotatedSeed == nil)
    }

    @Test("A tampered token does not verify")
    func tamperedTokenFails() throws {
        let (_, provider) = try provider("kind: local-scitoken\naudience: ANY\n")
        let (_, _, jwt) = try mint(provider, for: "alice", at: Self.now)
        let parts = jwt.token.split(separator: ".")
        let forged = try JSONSerialization.data(withJSONObject: jwt.claims.merging(["sub": "root"]) { $1 })
        let forgedToken = parts[0] + "." + forged.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "") + "." + parts[2]
        #expect(CompactJWS.verifiedPayload(of: String(forgedToken), with: provider.publicJWK) == nil)
        let other = try SigningKey.generate(algorithm: .es256, keyID: "local")
        #expect(CompactJWS.verifiedPayload(of: jwt.token, with: other.publicJWK) == nil, "another key does not verify it")
    }

    @Test("Every mint has a fresh jti")
    func freshJTI() throws {
        let (_, provider) = try provider("kind: local-scitoken\naudience: ANY\n")
        let first = try mint(provider, for: "alice", at: Self.now).jwt.string("jti")
        let second = try mint(provider, for: "alice", at: Self.now).jwt.string("jti")
        #expect(isLowercaseUUID(first) && isLowercaseUUID(second))
        #expect(first != second)
    }

    @Test("scitoken:1.0 has no ver claim")
    func scitoken1() throws {
        let (_, provider) = try provider("kind: local-scitoken\nprofile: scitoken:1.0\n")
        let (_, _, jwt) = try mint(provider, for: "bob", at: Self.now)
        #expect(jwt.claims["ver"] == nil)
        #expect(jwt.claims["wlcg.ver"] == nil)
        #expect(jwt.claims["aud"] == nil, "no audience configured, none claimed")
        #expect(jwt.string("sub") == "bob")
        #expect(jwt.int("exp")! - jwt.int("iat")! == 1200)
        #expect(CompactJWS.verifiedPayload(of: jwt.token, with: provider.publicJWK) != nil)
    }

    @Test("wlcg:1.0 has wlcg.ver 1.0 and the any audience")
    func wlcg() throws {
        let (_, provider) = try provider("kind: local-scitoken\nprofile: wlcg:1.0\nscopes: \"storage.read:/home/{username} compute.create\"\n")
        let (_, _, jwt) = try mint(provider, for: "carol", at: Self.now)
        #expect(jwt.string("wlcg.ver") == "1.0")
        #expect(jwt.claims["ver"] == nil)
        #expect(jwt.claims["aud"] as? [String] == ["https://wlcg.cern.ch/jwt/v1/any"])
        #expect(jwt.string("scope") == "storage.read:/home/carol compute.create")
        #expect(CompactJWS.verifiedPayload(of: jwt.token, with: provider.publicJWK) != nil)
    }

    @Test("Issuer and key id from the fragment are in the claims and header")
    func customIssuerAndKeyID() throws {
        let (_, provider) = try provider("kind: local-scitoken\naudience: ANY\nissuer: https://issuer.example.org/local\nkey_id: \"k-2\"\n")
        let (_, _, jwt) = try mint(provider, for: "alice", at: Self.now)
        #expect(jwt.string("iss") == "https://issuer.example.org/local")
        #expect(jwt.header["kid"] as? String == "k-2")
        #expect(provider.publicJWK.kid == "k-2")
        #expect(CompactJWS.verifiedPayload(of: jwt.token, with: provider.publicJWK) != nil)
    }

    @Test("use_json: false writes '<token>\\n', and its validity is recovered from the token (no re-mint every scan)")
    func bareTokenFile() throws {
        let (_, provider) = try provider("kind: local-scitoken\naudience: ANY\nuse_json: false\nlifetime: 1000\n")
        let update = try provider.mint(for: "alice", now: Self.now)
        let text = String(decoding: update.accessTokenFile, as: UTF8.self)
        #expect(text.hasSuffix("\n"))
        #expect(text.dropLast().allSatisfy { !$0.isWhitespace })
        #expect(text.split(separator: ".").count == 3)

        let file = try AccessTokenFile.parse(update.accessTokenFile, path: "alice/scitokens.use")
        #expect(file.format == .bare)
        #expect(file.accessToken == String(text.dropLast()))
        // Whatever the file's modification time, the dates come from the token.
        let validity = try #require(file.validity(fileModified: Date(timeIntervalSince1970: 0)))
        #expect(validity.issuedAt == Date(timeIntervalSince1970: Double(Self.issuedAt)))
        #expect(validity.expiresAt == Date(timeIntervalSince1970: Double(Self.issuedAt + 1000)))
        let renewal = provider.renewalDate(for: validity)
        #expect(renewal > Self.now, "not due at once")
        #expect(renewal == Date(timeIntervalSince1970: Double(Self.issuedAt + 500)))
    }

    @Test("The JSON .use also yields the token's dates")
    func jsonFileValidity() throws {
        let (_, provider) = try provider("kind: local-scitoken\naudience: ANY\n")
        let (update, file, _) = try mint(provider, for: "alice", at: Self.now)
        #expect(file.validity(fileModified: Date(timeIntervalSince1970: 0)) == update.validity)
    }

    @Test("The renewal date is renew_fraction of the lifetime", arguments: [(0.5, 600.0), (0.25, 300.0), (0.9, 1080.0)])
    func renewalDate(fraction: Double, offset: Double) throws {
        let (_, provider) = try provider("kind: local-scitoken\naudience: ANY\nrenew_fraction: \(fraction)\n")
        let update = try provider.mint(for: "alice", now: Self.now)
        let validity = try #require(update.validity)
        #expect(validity.lifetime == 1200)
        #expect(provider.renewalDate(for: validity) == Date(timeIntervalSince1970: Double(Self.issuedAt) + offset))
    }

    @Test("fetch and refresh both mint for the request's user at the request's time")
    func fetchAndRefresh() async throws {
        let (_, provider) = try provider("kind: local-scitoken\naudience: ANY\n")
        let request = CredentialRequest(id: CredentialID(user: "dave", token: TokenName(service: "scitokens")), seed: .opaque(Array("dave@foo".utf8)), now: Self.now)
        for update in [try await provider.fetch(request), try await provider.refresh(request)] {
            let file = try AccessTokenFile.parse(update.accessTokenFile, path: "use")
            let jwt = try DecodedJWT(file.accessToken)
            #expect(jwt.string("sub") == "dave")
            #expect(jwt.int("iat") == Self.issuedAt)
        }
    }

    @Test("User names with JSON-special characters stay valid JSON")
    func escaping() throws {
        let (_, provider) = try provider("kind: local-scitoken\naudience: ANY\n")
        let (_, _, jwt) = try mint(provider, for: "a\"b\\c", at: Self.now)
        #expect(jwt.string("sub") == "a\"b\\c")
    }
}
