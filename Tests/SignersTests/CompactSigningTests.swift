import Foundation
import Signers
import Testing

@Suite struct CompactSigningTests {
    private func segments(_ token: String) throws -> [Data] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        #expect(parts.count == 3)
        #expect(!token.contains("="))
        #expect(!token.contains("+"))
        #expect(!token.contains("/"))
        return try parts.map { try #require(SignatureFormats.base64URLDecode($0)) }
    }

    @Test("the header is exactly alg, kid, typ in that order", arguments: SigningAlgorithm.allCases)
    func headerLayout(algorithm: SigningAlgorithm) throws {
        let key = try SigningKey.generate(algorithm: algorithm, keyID: "key-2024")
        let token = try key.signCompact(payload: Data("{\"a\":1}".utf8))
        let parts = try segments(token)
        #expect(String(decoding: parts[0], as: UTF8.self) == "{\"alg\":\"\(algorithm.rawValue)\",\"kid\":\"key-2024\",\"typ\":\"JWT\"}")
        #expect(String(decoding: parts[1], as: UTF8.self) == "{\"a\":1}")
        #expect(parts[2].count == (algorithm == .es256 ? 64 : 256))
    }

    @Test("a key id that needs escaping still gives a valid JSON header")
    func escapedKeyID() throws {
        let kid = "a\"b\\c/d\u{01}é"
        let key = try SigningKey.generate(algorithm: .es256, keyID: kid)
        let header = try segments(try key.signCompact(payload: Data()))[0]
        let object = try #require(try JSONSerialization.jsonObject(with: header) as? [String: String])
        #expect(object == ["alg": "ES256", "kid": kid, "typ": "JWT"])
        #expect(key.publicJWK.kid == kid)
    }

    @Test("payloads of every length mod 3 (and empty) round-trip and verify", arguments: [0, 1, 2, 3, 4, 5, 31, 32, 33, 1000])
    func payloadLengths(length: Int) throws {
        let key = try SigningKey.generate(algorithm: .es256, keyID: "k")
        let payload = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
        let token = try key.signCompact(payload: payload)
        #expect(try segments(token)[1] == payload)
        #expect(CompactJWS.verifiedPayload(of: token, with: key.publicJWK) == payload)
    }

    @Test("verification fails for a tampered token or another key", arguments: SigningAlgorithm.allCases)
    func verificationCanFail(algorithm: SigningAlgorithm) throws {
        let key = try SigningKey.generate(algorithm: algorithm, keyID: "k")
        let other = try SigningKey.generate(algorithm: algorithm, keyID: "k")
        let token = try key.signCompact(payload: Data("{\"sub\":\"alice\"}".utf8))
        #expect(CompactJWS.verifiedPayload(of: token, with: key.publicJWK) != nil)
        #expect(CompactJWS.verifiedPayload(of: token, with: other.publicJWK) == nil)
        var parts = token.split(separator: ".").map(String.init)
        parts[1] = Base64URL.encode(Data("{\"sub\":\"mallory\"}".utf8))
        #expect(CompactJWS.verifiedPayload(of: parts.joined(separator: "."), with: key.publicJWK) == nil)
    }

    @Test("ECDSA signatures are randomized but all verify")
    func signaturesDiffer() throws {
        let key = try SigningKey.generate(algorithm: .es256, keyID: "k")
        let payload = Data("same".utf8)
        let first = try key.signCompact(payload: payload)
        let second = try key.signCompact(payload: payload)
        #expect(first != second)
        #expect(CompactJWS.verifiedPayload(of: first, with: key.publicJWK) == payload)
        #expect(CompactJWS.verifiedPayload(of: second, with: key.publicJWK) == payload)
    }

    @Test("python's cryptography package verifies tokens using only the published JWK", arguments: SigningAlgorithm.allCases)
    func pythonVerifiesWithJWK(algorithm: SigningAlgorithm) throws {
        let key = try SigningKey.generate(algorithm: algorithm, keyID: "py")
        let token = try key.signCompact(payload: Data("{\"iss\":\"https://issuer.example/path\"}".utf8))
        let jwk = String(decoding: JWKSet(keys: [key.publicJWK]).jsonData(), as: UTF8.self)
        let script = #"""
        import base64, json, sys
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
        def b64(s):
            return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
        jwk = json.loads(sys.argv[1])["keys"][0]
        token = sys.argv[2]
        tamper = sys.argv[3] == "1"
        h, p, s = token.split(".")
        data = (h + "." + p).encode()
        if tamper:
            data = data[:-1] + bytes([data[-1] ^ 1])
        sig = b64(s)
        try:
            if jwk["kty"] == "EC":
                assert len(b64(jwk["x"])) == 32 and len(b64(jwk["y"])) == 32
                pub = ec.EllipticCurvePublicNumbers(int.from_bytes(b64(jwk["x"]), "big"), int.from_bytes(b64(jwk["y"]), "big"), ec.SECP256R1()).public_key()
                assert len(sig) == 64
                der = utils.encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
                pub.verify(der, data, ec.ECDSA(hashes.SHA256()))
            else:
                pub = rsa.RSAPublicNumbers(int.from_bytes(b64(jwk["e"]), "big"), int.from_bytes(b64(jwk["n"]), "big")).public_key()
                pub.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
            print("OK")
        except Exception as e:
            print("FAIL", type(e).__name__)
        """#
        let good = try Shell.run(["python3", "-c", script, jwk, token, "0"])
        #expect(good.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "OK", "\(good.stderr)")
        let tampered = try Shell.run(["python3", "-c", script, jwk, token, "1"])
        #expect(tampered.stdoutText.hasPrefix("FAIL"), "\(tampered.stderr)")
    }

    @Test("one key signs concurrently from many tasks")
    func concurrentSigning() async throws {
        let key = try SigningKey.generate(algorithm: .es256, keyID: "k")
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<200 {
                group.addTask { try key.signCompact(payload: Data("{\"n\":\(index)}".utf8)) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(tokens.count == 200)
        for token in tokens {
            #expect(CompactJWS.verifiedPayload(of: token, with: key.publicJWK) != nil)
        }
    }
}

@Suite struct SigningKeyDescriptionTests {
    @Test("printing or dumping a key shows only the algorithm and key id", arguments: [AcceptedKeyFormat.sec1, .pkcs1RSA])
    func noKeyMaterialInDescriptions(format: AcceptedKeyFormat) throws {
        let directory = try TemporaryDirectory()
        let path = try format.generate(in: directory)
        let key = try SigningKey.load(privateKeyFile: path, keyID: "kid-1", algorithm: format.algorithm)
        #expect(String(describing: key) == "SigningKey(alg: \(format.algorithm.rawValue), kid: kid-1)")
        #expect(String(reflecting: key) == String(describing: key))
        var dumped = ""
        dump(key, to: &dumped)
        #expect(dumped.contains("kid-1"))
        #expect(!dumped.contains("backing"))
        // The private key's hex digits (as openssl prints them) appear in none of these.
        let text = String(decoding: try Shell.openssl(["pkey", "-in", path, "-text", "-noout"]), as: UTF8.self)
        let hexLines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.count >= 20 && $0.allSatisfy { $0.isHexDigit || $0 == ":" } }
        #expect(!hexLines.isEmpty)
        for line in hexLines {
            #expect(!dumped.contains(line) && !String(describing: key).contains(line))
        }
    }
}
