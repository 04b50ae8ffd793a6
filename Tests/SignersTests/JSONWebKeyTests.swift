import Crypto
import _CryptoExtras
import Foundation
import Signers
import Testing

@Suite struct JSONWebKeyTests {
    /// Decodes a JWK member with Foundation (not the module's decoder), checking there is no padding.
    private func member(_ value: String?) throws -> Data {
        let text = try #require(value)
        #expect(!text.contains("="))
        return try #require(SignatureFormats.base64URLDecode(Substring(text)))
    }

    @Test("EC JWK coordinates rebuild the same public key as openssl's", arguments: [AcceptedKeyFormat.sec1WithParameters, .pkcs8EC])
    func ecRoundTrip(format: AcceptedKeyFormat) throws {
        let directory = try TemporaryDirectory()
        let path = try format.generate(in: directory)
        let key = try SigningKey.load(privateKeyFile: path, keyID: "ec-1", algorithm: .es256)
        let jwk = key.publicJWK
        #expect(jwk.kty == "EC")
        #expect(jwk.kid == "ec-1")
        #expect(jwk.use == "sig")
        #expect(jwk.alg == "ES256")
        #expect(jwk.crv == "P-256")
        #expect(jwk.n == nil && jwk.e == nil)
        let x = try member(jwk.x), y = try member(jwk.y)
        #expect(x.count == 32 && y.count == 32)
        let rebuilt = try P256.Signing.PublicKey(rawRepresentation: x + y)
        #expect(rebuilt.derRepresentation == (try OpenSSLReference.publicKeyDER(ofPrivateKey: path)))
    }

    @Test("EC coordinates keep their leading zero bytes")
    func ecFixedLength() throws {
        // About 1 in 128 keys has a coordinate below 2^248; search until one does.
        var found: SigningKey?
        for _ in 0..<20_000 {
            let key = try SigningKey.generate(algorithm: .es256, keyID: "k")
            let x = try member(key.publicJWK.x), y = try member(key.publicJWK.y)
            #expect(x.count == 32 && y.count == 32)
            #expect(key.publicJWK.x?.count == 43 && key.publicJWK.y?.count == 43)
            if x.first == 0 || y.first == 0 { found = key; break }
        }
        let key = try #require(found)
        let x = try member(key.publicJWK.x), y = try member(key.publicJWK.y)
        let rebuilt = try P256.Signing.PublicKey(rawRepresentation: x + y)
        let directory = try TemporaryDirectory()
        let pemPath = try directory.write("pub.pem", text: key.publicKeyPEM)
        let opensslDER = try Shell.openssl(["pkey", "-pubin", "-in", pemPath, "-outform", "DER"])
        #expect(rebuilt.derRepresentation == opensslDER)
    }

    @Test("RSA JWK n and e are minimal big-endian and rebuild openssl's public key", arguments: [AcceptedKeyFormat.pkcs1RSA, .pkcs8RSA, .pkcs1RSA3072])
    func rsaRoundTrip(format: AcceptedKeyFormat) throws {
        let directory = try TemporaryDirectory()
        let path = try format.generate(in: directory)
        let key = try SigningKey.load(privateKeyFile: path, keyID: "rsa-1", algorithm: .rs256)
        let jwk = key.publicJWK
        #expect(jwk.kty == "RSA")
        #expect(jwk.alg == "RS256")
        #expect(jwk.use == "sig")
        #expect(jwk.crv == nil && jwk.x == nil && jwk.y == nil)
        let n = try member(jwk.n), e = try member(jwk.e)
        #expect(n.first != 0)
        #expect(e.first != 0)
        #expect(n.count == (format == .pkcs1RSA3072 ? 384 : 256))
        #expect(jwk.e == "AQAB")  // openssl's default exponent 65537
        let rebuilt = try _RSA.Signing.PublicKey(n: n, e: e)
        #expect(rebuilt.derRepresentation == (try OpenSSLReference.publicKeyDER(ofPrivateKey: path)))
    }

    @Test("a JWK built from a public key PEM equals the one from the private key", arguments: [AcceptedKeyFormat.sec1, .pkcs8RSA])
    func fromPublicKeyPEM(format: AcceptedKeyFormat) throws {
        let directory = try TemporaryDirectory()
        let path = try format.generate(in: directory)
        let key = try SigningKey.load(privateKeyFile: path, keyID: "same", algorithm: format.algorithm)
        let publicPEM = try OpenSSLReference.publicKeyPEM(ofPrivateKey: path)
        let jwk = try JSONWebKey(publicKeyPEM: publicPEM, keyID: "same", source: "pub.pem")
        #expect(jwk == key.publicJWK)
        #expect(jwk.alg == format.algorithm.rawValue)
    }

    @Test("public key PEMs that cannot be published are refused")
    func publicKeyRejections() throws {
        let directory = try TemporaryDirectory()
        let p384 = directory.file("p384.pem"), rsa1024 = directory.file("rsa1024.pem"), ec = directory.file("ec.pem")
        try Shell.openssl(["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", p384])
        try Shell.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa1024])
        try Shell.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ec])
        let cases: [(String, KeyError.Code)] = [
            (try OpenSSLReference.publicKeyPEM(ofPrivateKey: p384), .unsupportedKey),
            (try OpenSSLReference.publicKeyPEM(ofPrivateKey: rsa1024), .weakKey),
            (try Files.text(ec), .noPublicKey),
            ("", .noPublicKey),
            ("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", .malformedKey),
        ]
        for (text, code) in cases {
            let error = try #require(throws: KeyError.self) {
                try JSONWebKey(publicKeyPEM: text, keyID: "k", source: "/etc/credmon/public.pem")
            }
            #expect(error.code == code, "\(error)")
            ErrorTextChecks.expectSafeDescription(error, path: "/etc/credmon/public.pem", keyFileText: text)
        }
    }

    @Test("RFC 7638 thumbprint of the RFC's example key")
    func thumbprintVector() {
        let jwk = JSONWebKey(
            kty: "RSA", kid: "2011-04-29", alg: "RS256",
            n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
            e: "AQAB"
        )
        #expect(jwk.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test("EC thumbprint matches python's computation")
    func ecThumbprint() throws {
        let jwk = try SigningKey.generate(algorithm: .es256, keyID: "k").publicJWK
        let script = """
        import base64, hashlib, json, sys
        j = json.loads(sys.argv[1])
        c = json.dumps({"crv": j["crv"], "kty": j["kty"], "x": j["x"], "y": j["y"]}, separators=(",", ":"), sort_keys=True)
        print(base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).decode().rstrip("="))
        """
        let json = String(decoding: try JSONEncoder().encode(jwk), as: UTF8.self)
        let result = try Shell.run(["python3", "-c", script, json])
        #expect(jwk.thumbprint == result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
