import Engine
import Foundation
import LocalSciToken
import Signers
import Testing

@Suite("local-scitoken signing keys")
struct SigningKeyConfigurationTests {
    @Test("RS256 with a missing key is an error that says how to create one")
    func rs256MissingKey() throws {
        let setup = try Setup()
        let path = try setup.fragment("scitokens.yaml", "kind: local-scitoken\naudience: ANY\nalgorithm: RS256\n")
        let error = try #require(setup.errors().first)
        #expect(error.key == "private_key")
        #expect(error.description.hasPrefix(path), "\(error.description)")
        #expect(error.description.contains(setup.keyDirectory + "/scitokens-private.pem"), "names the key file: \(error.description)")
        #expect(error.description.contains("openssl genpkey -algorithm RSA"), "\(error.description)")
        #expect(setup.root.allNames(in: "keys").isEmpty, "no key is generated for RS256")
    }

    @Test("RS256 with an openssl-generated 2048-bit key signs verifiable tokens")
    func rs256WithOpenSSLKey() throws {
        let setup = try Setup()
        let keyPath = setup.root.file("rsa.pem")
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", keyPath])
        try setup.fragment("rsa.yaml", "kind: local-scitoken\naudience: ANY\nalgorithm: RS256\nprivate_key: \(keyPath)\nkey_id: rsa-1\n")
        let provider = try setup.provider("rsa")
        #expect(provider.configuration.algorithm == .rs256)
        #expect(provider.publicJWK.kty == "RSA")
        #expect(provider.publicJWK.alg == "RS256")
        let (_, _, jwt) = try mint(provider, for: "alice", at: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(jwt.header["alg"] as? String == "RS256")
        #expect(jwt.header["kid"] as? String == "rsa-1")
        #expect(CompactJWS.verifiedPayload(of: jwt.token, with: provider.publicJWK) == jwt.payloadData)
    }

    @Test("An EC key with algorithm RS256 is an error")
    func ecKeyWithRS256() throws {
        let setup = try Setup()
        let keyPath = setup.root.file("ec.pem")
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath])
        let path = try setup.fragment("scitokens.yaml", "kind: local-scitoken\naudience: ANY\nalgorithm: RS256\nprivate_key: \(keyPath)\n")
        let error = try #require(setup.errors().first)
        #expect(error.key == "private_key")
        #expect(error.line == 4)
        #expect(error.description.hasPrefix(path + ":4: key 'private_key'"), "\(error.description)")
        #expect(error.description.contains(keyPath))
        #expect(error.description.contains("RS256"), "\(error.description)")
        #expect(!error.description.contains("BEGIN"), "no key material in the message")
    }

    @Test("An openssl P-256 key works with the default ES256")
    func ecKeyWithES256() throws {
        let setup = try Setup()
        let keyPath = setup.root.file("ec.pem")
        try openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", keyPath])
        try setup.fragment("scitokens.yaml", "kind: local-scitoken\naudience: ANY\nprivate_key: \(keyPath)\n")
        let provider = try setup.provider("scitokens")
        let (_, _, jwt) = try mint(provider, for: "bob", at: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(CompactJWS.verifiedPayload(of: jwt.token, with: provider.publicJWK) != nil)
    }

    @Test("Without createMissingKeys a missing key still builds (check mode) and no file is created")
    func checkModeMissingKey() throws {
        let setup = try Setup()
        try setup.fragment("scitokens.yaml", "kind: local-scitoken\naudience: ANY\n")
        let provider = try setup.provider("scitokens", createMissingKeys: false)
        #expect(!FileManager.default.fileExists(atPath: setup.keyDirectory + "/scitokens-private.pem"))
        #expect(!FileManager.default.fileExists(atPath: setup.keyDirectory + "/scitokens.pem"))
        #expect(setup.root.allNames(in: "keys").isEmpty)
        let shown = provider.profile.settings.first { $0.key == "private_key" }?.value ?? ""
        #expect(shown.hasPrefix(setup.keyDirectory + "/scitokens-private.pem"))
        #expect(shown.contains("missing"), "check shows that the key is missing: \(shown)")
        // A later daemon start creates it.
        let daemon = try setup.provider("scitokens", createMissingKeys: true)
        #expect(fileMode(setup.keyDirectory + "/scitokens-private.pem") == 0o600)
        #expect(daemon.configuration.privateKeyPath == provider.configuration.privateKeyPath)
    }

    @Test("A damaged key file is an error naming the file, never replaced")
    func damagedKey() throws {
        let setup = try Setup()
        let keyPath = try setup.root.write("keys/scitokens-private.pem", "-----BEGIN EC PRIVATE KEY-----\nnot base64!\n-----END EC PRIVATE KEY-----\n")
        try setup.fragment("scitokens.yaml", "kind: local-scitoken\naudience: ANY\n")
        let error = try #require(setup.errors().first)
        #expect(error.key == "private_key")
        #expect(error.description.contains(keyPath))
        #expect(try String(contentsOfFile: keyPath, encoding: .utf8).contains("not base64!"), "the file is left alone")
    }
}
