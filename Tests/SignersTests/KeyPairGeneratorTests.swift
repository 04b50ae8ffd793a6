import Foundation
import Signers
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite struct KeyPairGeneratorTests {
    @Test("creates a 0600 SEC1 private key and a 0644 SPKI public key that openssl accepts")
    func createsKeyPair() throws {
        let directory = try TemporaryDirectory()
        let privatePath = directory.file("etc/condor/keys/private.pem")
        let publicPath = directory.file("var/www/public.pem")
        let outcome = try KeyPairGenerator.ensureKeyPair(privateKeyPath: privatePath, publicKeyPath: publicPath)
        #expect(outcome == .created)

        #expect(Files.mode(privatePath) == 0o600)
        #expect(Files.mode(publicPath) == 0o644)
        #expect(Files.mode(directory.file("etc/condor/keys")) == 0o755)
        #expect(Files.mode(directory.file("var/www")) == 0o755)

        let privateText = try Files.text(privatePath)
        #expect(privateText.hasPrefix("-----BEGIN EC PRIVATE KEY-----\n"))
        #expect(privateText.hasSuffix("-----END EC PRIVATE KEY-----\n"))
        #expect(try Files.text(publicPath).hasPrefix("-----BEGIN PUBLIC KEY-----\n"))

        // openssl checks the key and agrees on the public key.
        let check = try Shell.run(["openssl", "ec", "-in", privatePath, "-check", "-noout"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stderr.contains("EC Key valid") || check.stdoutText.contains("EC Key valid"))
        #expect(try Files.text(publicPath) == (try OpenSSLReference.publicKeyPEM(ofPrivateKey: privatePath)))

        // The DER is the RFC 5915 layout: version 1, 32-byte key, [0] prime256v1, [1] public key.
        let parsed = try Shell.openssl(["asn1parse", "-in", privatePath])
        let lines = String(decoding: parsed, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines[0].contains("l= 119 cons: SEQUENCE"))
        #expect(lines[1].contains("INTEGER") && lines[1].hasSuffix(":01"))
        #expect(lines[2].contains("l=  32 prim: OCTET STRING"))
        #expect(lines[3].contains("cont [ 0 ]"))
        #expect(lines[4].contains(":prime256v1"))
        #expect(lines[5].contains("cont [ 1 ]"))
        #expect(lines[6].contains("l=  66 prim: BIT STRING"))

        // The key loads and signs; openssl verifies with the written public key.
        let key = try SigningKey.load(privateKeyFile: privatePath, keyID: "k", algorithm: .es256)
        let token = try key.signCompact(payload: Data("{}".utf8))
        #expect(try OpenSSLReference.verify(token: token, algorithm: .es256, publicKeyPEM: try Files.text(publicPath), in: directory))
        // No temporary files are left beside the public key.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("var/www")) == ["public.pem"])
    }

    @Test("a second call leaves both files unchanged")
    func secondCallKeepsKeys() throws {
        let directory = try TemporaryDirectory()
        let privatePath = directory.file("private.pem"), publicPath = directory.file("public.pem")
        #expect(try KeyPairGenerator.ensureKeyPair(privateKeyPath: privatePath, publicKeyPath: publicPath) == .created)
        let privateBefore = try directory.read("private.pem"), publicBefore = try directory.read("public.pem")
        #expect(try KeyPairGenerator.ensureKeyPair(privateKeyPath: privatePath, publicKeyPath: publicPath) == .alreadyExists)
        #expect(try directory.read("private.pem") == privateBefore)
        #expect(try directory.read("public.pem") == publicBefore)
    }

    @Test("two key pairs differ")
    func keysAreRandom() throws {
        let directory = try TemporaryDirectory()
        _ = try KeyPairGenerator.ensureKeyPair(privateKeyPath: directory.file("a.pem"), publicKeyPath: directory.file("a.pub"))
        _ = try KeyPairGenerator.ensureKeyPair(privateKeyPath: directory.file("b.pem"), publicKeyPath: directory.file("b.pub"))
        #expect(try directory.read("a.pem") != directory.read("b.pem"))
        #expect(try directory.read("a.pub") != directory.read("b.pub"))
    }

    @Test("a missing public key is rewritten from the existing private key", arguments: [AcceptedKeyFormat.sec1WithParameters, .pkcs1RSA])
    func rewritesMissingPublicKey(format: AcceptedKeyFormat) throws {
        let directory = try TemporaryDirectory()
        let privatePath = try format.generate(in: directory)
        let privateBefore = try directory.read("key.pem")
        let publicPath = directory.file("published/public.pem")
        #expect(try KeyPairGenerator.ensureKeyPair(privateKeyPath: privatePath, publicKeyPath: publicPath) == .alreadyExists)
        #expect(try directory.read("key.pem") == privateBefore)
        #expect(try Files.text(publicPath) == (try OpenSSLReference.publicKeyPEM(ofPrivateKey: privatePath)))
        #expect(Files.mode(publicPath) == 0o644)
    }

    @Test("an existing but unusable private key is reported when the public key must be derived")
    func unusableExistingKey() throws {
        let directory = try TemporaryDirectory()
        let privatePath = try directory.write("private.pem", text: "not a key\n")
        let error = try #require(throws: KeyError.self) {
            try KeyPairGenerator.ensureKeyPair(privateKeyPath: privatePath, publicKeyPath: directory.file("public.pem"))
        }
        #expect(error.code == .noPrivateKey)
        #expect(try Files.text(privatePath) == "not a key\n")
        #expect(!Files.exists(directory.file("public.pem")))
    }

    @Test("a failure writing the public key removes the new private key")
    func failureLeavesNoPartialFile() throws {
        let directory = try TemporaryDirectory()
        try directory.write("blocker", text: "a regular file where a directory is needed\n")
        let privatePath = directory.file("keys/private.pem")
        let error = try #require(throws: KeyError.self) {
            try KeyPairGenerator.ensureKeyPair(privateKeyPath: privatePath, publicKeyPath: directory.file("blocker/public.pem"))
        }
        #expect(error.code == .writeFailed)
        #expect(error.description.contains("blocker"))
        #expect(!Files.exists(privatePath))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.file("keys")) == [])
    }

    @Test("a public key path that is a directory fails cleanly")
    func publicPathIsDirectory() throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.file("public.pem"), withIntermediateDirectories: false)
        try directory.write("public.pem/inside", text: "x")
        let privatePath = directory.file("private.pem")
        #expect(throws: KeyError(.writeFailed, path: "", message: "")) {
            try KeyPairGenerator.ensureKeyPair(privateKeyPath: privatePath, publicKeyPath: directory.file("public.pem"))
        }
        #expect(!Files.exists(privatePath))
        #expect(try directory.names() == ["public.pem"])
    }

    @Test("a private key whose parent cannot be a directory leaves no file (works as root too)")
    func unusableParent() throws {
        let directory = try TemporaryDirectory()
        let blocker = directory.file("not-a-directory")
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        let error = try #require(throws: KeyError.self) {
            try KeyPairGenerator.ensureKeyPair(privateKeyPath: "\(blocker)/private.pem", publicKeyPath: directory.file("public.pem"))
        }
        #expect(error.code == .writeFailed || error.code == .fileExists)
        #expect(error.description.contains(blocker))
        #expect(try directory.names() == ["not-a-directory"])
    }

    @Test("a private key path that is a directory is refused")
    func privatePathIsDirectory() throws {
        let directory = try TemporaryDirectory()
        let error = try #require(throws: KeyError.self) {
            try KeyPairGenerator.ensureKeyPair(privateKeyPath: directory.path, publicKeyPath: directory.file("public.pem"))
        }
        #expect(error.code == .fileExists)
        #expect(error.description.contains(directory.path))
        #expect(!Files.exists(directory.file("public.pem")))
    }

    @Test("the same path for both keys is refused")
    func samePath() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("key.pem")
        #expect(throws: KeyError(.writeFailed, path: "", message: "")) {
            try KeyPairGenerator.ensureKeyPair(privateKeyPath: path, publicKeyPath: path)
        }
        #expect(!Files.exists(path))
    }
}
