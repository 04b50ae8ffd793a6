import Foundation
import Signers
import Testing

@Suite struct PrivateKeyLoadingTests {
    @Test("loads every accepted format, signs, and openssl verifies the signature", arguments: AcceptedKeyFormat.allCases)
    func loadSignVerify(format: AcceptedKeyFormat) throws {
        let directory = try TemporaryDirectory()
        let path = try format.generate(in: directory)
        #expect(try Files.text(path).hasPrefix(format.firstLine))

        let key = try SigningKey.load(privateKeyFile: path, keyID: "test-key", algorithm: format.algorithm)
        #expect(key.algorithm == format.algorithm)
        #expect(key.keyID == "test-key")

        // The derived public key is byte-identical to openssl's.
        #expect(key.publicKeyPEM == (try OpenSSLReference.publicKeyPEM(ofPrivateKey: path)))

        let payload = Data(#"{"sub":"alice","scope":"read:/ write:/home/alice"}"#.utf8)
        let token = try key.signCompact(payload: payload)
        #expect(try OpenSSLReference.verify(token: token, algorithm: format.algorithm, publicKeyPEM: key.publicKeyPEM, in: directory))
        // Negative control: openssl rejects a tampered signing input, so the check above can fail.
        #expect(try !OpenSSLReference.verify(token: token, algorithm: format.algorithm, publicKeyPEM: key.publicKeyPEM, in: directory, tamper: true))
    }

    @Test("init(pem:) parses the same text as load(privateKeyFile:)")
    func initFromText() throws {
        let directory = try TemporaryDirectory()
        let path = try AcceptedKeyFormat.sec1WithParameters.generate(in: directory)
        let fromText = try SigningKey(pem: Files.text(path), keyID: "k", algorithm: .es256, source: "inline")
        let fromFile = try SigningKey.load(privateKeyFile: path, keyID: "k", algorithm: .es256)
        #expect(fromText.publicJWK == fromFile.publicJWK)
        #expect(fromText.publicKeyPEM == fromFile.publicKeyPEM)
    }

    @Test("text around the PEM blocks is ignored")
    func surroundingText() throws {
        let directory = try TemporaryDirectory()
        let path = try AcceptedKeyFormat.pkcs8EC.generate(in: directory)
        let text = "Bag Attributes\n    friendlyName: credmon\n" + (try Files.text(path)) + "\ntrailing notes\n"
        let key = try SigningKey(pem: text, keyID: "k", algorithm: .es256, source: path)
        #expect(key.publicKeyPEM == (try OpenSSLReference.publicKeyPEM(ofPrivateKey: path)))
    }

    @Test("generated keys sign tokens that openssl verifies", arguments: SigningAlgorithm.allCases)
    func generatedKeys(algorithm: SigningAlgorithm) throws {
        let directory = try TemporaryDirectory()
        let key = try SigningKey.generate(algorithm: algorithm, keyID: "generated")
        #expect(key.algorithm == algorithm)
        let token = try key.signCompact(payload: Data("{}".utf8))
        #expect(try OpenSSLReference.verify(token: token, algorithm: algorithm, publicKeyPEM: key.publicKeyPEM, in: directory))
    }
}
