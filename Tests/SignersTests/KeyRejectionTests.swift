import Foundation
import Signers
import Testing

/// Key files that must be refused, each with the algorithm configured and the expected error code.
enum RejectedKey: String, CaseIterable, Sendable, CustomStringConvertible {
    case rsa1024
    case secp384r1
    case secp384r1WithRS256
    case encryptedPKCS8
    case encryptedTraditionalEC
    case encryptedTraditionalRSA
    case rsaWithES256
    case ecWithRS256
    case ed25519
    case publicKeyOnly
    case parametersOnly
    case emptyFile
    case whitespaceOnly
    case garbage
    case truncatedBody
    case invalidBase64
    case missingEndLine
    case twoPrivateKeys

    var description: String { rawValue }

    var algorithm: SigningAlgorithm {
        switch self {
        case .rsa1024, .secp384r1WithRS256, .ecWithRS256, .encryptedTraditionalRSA: return .rs256
        default: return .es256
        }
    }

    var expectedCode: KeyError.Code {
        switch self {
        case .rsa1024: return .weakKey
        case .secp384r1, .ed25519, .twoPrivateKeys: return .unsupportedKey
        case .secp384r1WithRS256, .rsaWithES256, .ecWithRS256: return .algorithmMismatch
        case .encryptedPKCS8, .encryptedTraditionalEC, .encryptedTraditionalRSA: return .encryptedKey
        case .publicKeyOnly, .parametersOnly, .emptyFile, .whitespaceOnly, .garbage: return .noPrivateKey
        case .truncatedBody, .invalidBase64, .missingEndLine: return .malformedKey
        }
    }

    /// Writes the file as `bad.pem` in `directory`; returns its path.
    func generate(in directory: TemporaryDirectory) throws -> String {
        let path = directory.file("bad.pem")
        let ecKey = directory.file("ec.pem")
        func makeECKey() throws {
            try Shell.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ecKey])
        }
        switch self {
        case .rsa1024:
            try Shell.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", path])
        case .secp384r1, .secp384r1WithRS256:
            try Shell.openssl(["ecparam", "-name", "secp384r1", "-genkey", "-noout", "-out", path])
        case .encryptedPKCS8:
            try Shell.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:secret-passphrase", "-out", path])
        case .encryptedTraditionalEC:
            try makeECKey()
            try Shell.openssl(["ec", "-in", ecKey, "-aes128", "-passout", "pass:secret-passphrase", "-out", path])
        case .encryptedTraditionalRSA:
            try Shell.openssl(["genrsa", "-traditional", "-aes128", "-passout", "pass:secret-passphrase", "-out", path, "2048"])
        case .rsaWithES256:
            try Shell.openssl(["genrsa", "-traditional", "-out", path, "2048"])
        case .ecWithRS256:
            try Shell.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path])
        case .ed25519:
            try Shell.openssl(["genpkey", "-algorithm", "ed25519", "-out", path])
        case .publicKeyOnly:
            try makeECKey()
            try Shell.openssl(["pkey", "-in", ecKey, "-pubout", "-out", path])
        case .parametersOnly:
            try Shell.openssl(["ecparam", "-name", "prime256v1", "-out", path])
        case .emptyFile:
            try directory.write("bad.pem", Data())
        case .whitespaceOnly:
            try directory.write("bad.pem", text: "\n  \n\t\n")
        case .garbage:
            try directory.write("bad.pem", text: "issuer: https://example.org\nalgorithm: ES256\n")
        case .truncatedBody:
            try makeECKey()
            var lines = try Files.text(ecKey).split(separator: "\n")
            lines.remove(at: 2)  // a whole base64 line: still valid base64, but the DER is cut short
            try directory.write("bad.pem", text: lines.joined(separator: "\n") + "\n")
        case .invalidBase64:
            try makeECKey()
            var lines = try Files.text(ecKey).split(separator: "\n").map(String.init)
            lines[1] = "!!" + lines[1].dropFirst(2)
            try directory.write("bad.pem", text: lines.joined(separator: "\n") + "\n")
        case .missingEndLine:
            try makeECKey()
            let lines = try Files.text(ecKey).split(separator: "\n")
            try directory.write("bad.pem", text: lines.dropLast().joined(separator: "\n") + "\n")
        case .twoPrivateKeys:
            try makeECKey()
            let second = directory.file("second.pem")
            try Shell.openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", second])
            try directory.write("bad.pem", text: try Files.text(ecKey) + Files.text(second))
        }
        return path
    }
}

@Suite struct KeyRejectionTests {
    @Test("refuses unusable key files with a clear, secret-free error", arguments: RejectedKey.allCases)
    func refuses(key: RejectedKey) throws {
        let directory = try TemporaryDirectory()
        let path = try key.generate(in: directory)
        let fileText = try Files.text(path)
        let error = try #require(throws: KeyError.self) {
            try SigningKey.load(privateKeyFile: path, keyID: "k", algorithm: key.algorithm)
        }
        #expect(error.code == key.expectedCode, "\(error)")
        #expect(error.path == path)
        ErrorTextChecks.expectSafeDescription(error, path: path, keyFileText: fileText)
        #expect(!error.description.contains("secret-passphrase"))
        // Equality compares codes only, so an error can be matched by code.
        #expect(error == KeyError(key.expectedCode, path: "", message: ""))
    }

    @Test("an RSA key with ES256 gives the documented message")
    func mismatchMessage() throws {
        let directory = try TemporaryDirectory()
        let path = try RejectedKey.rsaWithES256.generate(in: directory)
        #expect(throws: KeyError(.algorithmMismatch, path: "", message: "")) {
            try SigningKey.load(privateKeyFile: path, keyID: "k", algorithm: .es256)
        }
        let error = try #require(throws: KeyError.self) {
            try SigningKey.load(privateKeyFile: path, keyID: "k", algorithm: .es256)
        }
        #expect(error.description == "\(path): the key is an RSA key but the configured algorithm is ES256; set algorithm: RS256 or use a P-256 EC key")
    }

    @Test("the weak-key message names the size and the fix")
    func weakKeyMessage() throws {
        let directory = try TemporaryDirectory()
        let path = try RejectedKey.rsa1024.generate(in: directory)
        let error = try #require(throws: KeyError.self) {
            try SigningKey.load(privateKeyFile: path, keyID: "k", algorithm: .rs256)
        }
        #expect(error.code == .weakKey)
        #expect(error.message.contains("1024"))
        #expect(error.message.contains("2048"))
    }

    @Test("a directory is not a key file")
    func directoryIsRefused() throws {
        let directory = try TemporaryDirectory()
        let error = try #require(throws: KeyError.self) {
            try SigningKey.load(privateKeyFile: directory.path, keyID: "k", algorithm: .es256)
        }
        #expect(error.code == .unreadableFile)
        #expect(error.description.contains(directory.path))
        #expect(error.message.contains("directory"))
    }

    @Test("a missing file is reported with its path")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("does-not-exist.pem")
        let error = try #require(throws: KeyError.self) {
            try SigningKey.load(privateKeyFile: path, keyID: "k", algorithm: .es256)
        }
        #expect(error.code == .unreadableFile)
        #expect(error.description.hasPrefix("\(path): "))
        #expect(error.message.contains("No such file"))
    }

    @Test("a FIFO is refused without blocking")
    func fifoIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("fifo")
        #expect(mkfifo(path, 0o600) == 0)
        let error = try #require(throws: KeyError.self) {
            try SigningKey.load(privateKeyFile: path, keyID: "k", algorithm: .es256)
        }
        #expect(error.code == .unreadableFile)
    }

    @Test("an empty key id is refused")
    func emptyKeyID() throws {
        let directory = try TemporaryDirectory()
        let path = try AcceptedKeyFormat.sec1.generate(in: directory)
        #expect(throws: KeyError(.invalidKeyID, path: "", message: "")) {
            try SigningKey.load(privateKeyFile: path, keyID: "", algorithm: .es256)
        }
    }

    @Test("errors compare by code only and describe themselves as path: message")
    func errorShape() {
        let a = KeyError(.weakKey, path: "/a", message: "one")
        let b = KeyError(.weakKey, path: "/b", message: "two")
        let c = KeyError(.noPrivateKey, path: "/a", message: "one")
        #expect(a == b)
        #expect(a != c)
        #expect(a.description == "/a: one")
        #expect(KeyError(.weakKey, path: "", message: "only").description == "only")
        #expect(KeyError.Code.weakKey.description == "weakKey")
    }
}
