import Foundation
import Signers
import Testing

/// A key made by `steps` (openssl argument lists run in a temporary directory; the last one writes `key.pem`).
struct OpenSSLMadeKey: Sendable, CustomStringConvertible {
    let description: String
    let steps: [[String]]

    func generate(in directory: TemporaryDirectory) throws -> String {
        for step in steps { try Shell.openssl(step, in: directory.path) }
        return directory.file("key.pem")
    }

    /// `openssl ecparam -genkey -noout` on `curve`.
    static func ec(_ curve: String, explicit: Bool = false) -> [String] {
        ["ecparam", "-name", curve, "-genkey", "-noout", "-out", "key.pem"] + (explicit ? ["-param_enc", "explicit"] : [])
    }

    /// `openssl genpkey -algorithm <algorithm>` with `options` as `-pkeyopt`s.
    static func genpkey(_ algorithm: String, _ options: String..., out: String = "key.pem") -> [String] {
        ["genpkey", "-algorithm", algorithm] + options.flatMap { ["-pkeyopt", $0] } + ["-out", out]
    }

    /// Re-writes `key.pem` with `arguments` (e.g. `["pkey"]` for PKCS#8, `["pkey", "-pubout"]` for SPKI), by way of
    /// a PKCS#8 copy.
    static func rewrite(_ arguments: String...) -> [[String]] {
        [["pkey", "-in", "key.pem", "-out", "source.pem"], arguments + ["-in", "source.pem", "-out", "key.pem"]]
    }
}

/// The exact messages for keys refused because of a curve or key type read from their OBJECT IDENTIFIERs, or because
/// their DER says what they are not, and PEM text that OpenSSL reads although it is not wrapped at 64 columns. Pinned
/// so that the code reading DER, PEM and OIDs can change (it now uses swift-asn1) without the messages changing.
@Suite struct KeyMessageTests {
    static let unsupported = "use a P-256 EC key (algorithm: ES256) or an RSA key of at least 2048 bits (algorithm: RS256)"

    static func curveMessage(_ curve: String) -> String {
        "the key is an EC key on curve \(curve) but ES256 needs curve P-256 (prime256v1); generate one with `openssl ecparam -name prime256v1 -genkey -noout -out <file>`"
    }

    static func typeMessage(_ type: String) -> String {
        "the key type \(type) is not supported; \(unsupported)"
    }

    static let explicitParameters = "EC with explicit curve parameters (re-export it with `openssl ec -param_enc named_curve`)"

    /// Private keys, each with the algorithm configured and the whole message expected.
    static let privateKeys: [(OpenSSLMadeKey, SigningAlgorithm, String)] = [
        (OpenSSLMadeKey(description: "SEC1 P-384", steps: [OpenSSLMadeKey.ec("secp384r1")]), .es256, curveMessage("P-384")),
        (OpenSSLMadeKey(description: "PKCS#8 P-521", steps: [OpenSSLMadeKey.genpkey("EC", "ec_paramgen_curve:P-521")]), .es256, curveMessage("P-521")),
        (OpenSSLMadeKey(description: "SEC1 secp256k1", steps: [OpenSSLMadeKey.ec("secp256k1")]), .es256, curveMessage("secp256k1")),
        (OpenSSLMadeKey(description: "SEC1 P-192", steps: [OpenSSLMadeKey.ec("prime192v1")]), .es256, curveMessage("P-192")),
        (OpenSSLMadeKey(description: "SEC1 P-224", steps: [OpenSSLMadeKey.ec("secp224r1")]), .es256, curveMessage("P-224")),
        (OpenSSLMadeKey(description: "SEC1 brainpoolP256r1", steps: [OpenSSLMadeKey.ec("brainpoolP256r1")]), .es256, curveMessage("Brainpool")),
        (OpenSSLMadeKey(description: "SEC1 sect163k1", steps: [OpenSSLMadeKey.ec("sect163k1")]), .es256, curveMessage("unknown-curve (1.3.132.0.1)")),
        (
            OpenSSLMadeKey(description: "SEC1 P-384 with RS256", steps: [OpenSSLMadeKey.ec("secp384r1")]), .rs256,
            "the key is an EC key on curve P-384 but the configured algorithm is RS256; use an RSA key of at least 2048 bits"
        ),
        (OpenSSLMadeKey(description: "SEC1 explicit parameters", steps: [OpenSSLMadeKey.ec("prime256v1", explicit: true)]), .es256, typeMessage(explicitParameters)),
        (
            OpenSSLMadeKey(description: "PKCS#8 explicit parameters", steps: [OpenSSLMadeKey.ec("prime256v1", explicit: true)] + OpenSSLMadeKey.rewrite("pkey")),
            .es256, typeMessage(explicitParameters)
        ),
        (OpenSSLMadeKey(description: "PKCS#8 Ed25519", steps: [OpenSSLMadeKey.genpkey("ed25519")]), .es256, typeMessage("Ed25519")),
        (OpenSSLMadeKey(description: "PKCS#8 Ed448", steps: [OpenSSLMadeKey.genpkey("ed448")]), .es256, typeMessage("Ed448")),
        (OpenSSLMadeKey(description: "PKCS#8 X25519", steps: [OpenSSLMadeKey.genpkey("x25519")]), .es256, typeMessage("X25519")),
        (OpenSSLMadeKey(description: "PKCS#8 X448", steps: [OpenSSLMadeKey.genpkey("x448")]), .rs256, typeMessage("X448")),
        (OpenSSLMadeKey(description: "PKCS#8 RSA-PSS", steps: [OpenSSLMadeKey.genpkey("RSA-PSS", "rsa_keygen_bits:2048")]), .rs256, typeMessage("RSA-PSS")),
        (
            OpenSSLMadeKey(description: "PKCS#8 DSA", steps: [
                ["genpkey", "-genparam", "-algorithm", "DSA", "-pkeyopt", "dsa_paramgen_bits:1024", "-out", "parameters.pem"],
                ["genpkey", "-paramfile", "parameters.pem", "-out", "key.pem"],
            ]),
            .rs256, typeMessage("DSA")
        ),
        (
            OpenSSLMadeKey(description: "PKCS#8 multi-prime RSA", steps: [OpenSSLMadeKey.genpkey("RSA", "rsa_keygen_primes:3", "rsa_keygen_bits:2048")]),
            .rs256, typeMessage("multi-prime RSA")
        ),
        (
            OpenSSLMadeKey(description: "PKCS#1 multi-prime RSA", steps: [OpenSSLMadeKey.genpkey("RSA", "rsa_keygen_primes:3", "rsa_keygen_bits:2048")] + OpenSSLMadeKey.rewrite("rsa", "-traditional")),
            .rs256, typeMessage("multi-prime RSA")
        ),
        (
            OpenSSLMadeKey(description: "PKCS#8 RSA 1024", steps: [OpenSSLMadeKey.genpkey("RSA", "rsa_keygen_bits:1024")]), .rs256,
            "the RSA key has only 1024 bits but RS256 needs at least 2048; generate a new key with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`"
        ),
        (
            OpenSSLMadeKey(description: "PKCS#1 RSA 1024", steps: [OpenSSLMadeKey.genpkey("RSA", "rsa_keygen_bits:1024")] + OpenSSLMadeKey.rewrite("rsa", "-traditional")), .rs256,
            "the RSA key has only 1024 bits but RS256 needs at least 2048; generate a new key with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`"
        ),
    ]

    @Test("private keys are refused with the exact message", arguments: 0..<privateKeys.count)
    func privateKeyMessage(index: Int) throws {
        let (made, algorithm, message) = Self.privateKeys[index]
        let directory = try TemporaryDirectory()
        let path = try made.generate(in: directory)
        let error = try #require(throws: KeyError.self, "\(made)") {
            try SigningKey.load(privateKeyFile: path, keyID: "k", algorithm: algorithm)
        }
        #expect(error.message == message, "\(made)")
        #expect(error.path == path)
    }

    /// Public keys, each with the whole message expected.
    static let publicKeys: [(OpenSSLMadeKey, String)] = [
        (
            OpenSSLMadeKey(description: "SPKI P-384", steps: [OpenSSLMadeKey.ec("secp384r1")] + OpenSSLMadeKey.rewrite("pkey", "-pubout")),
            "the public key is an EC key on curve P-384 but ES256 needs curve P-256 (prime256v1); use a P-256 key"
        ),
        (
            OpenSSLMadeKey(description: "SPKI sect163k1", steps: [OpenSSLMadeKey.ec("sect163k1")] + OpenSSLMadeKey.rewrite("pkey", "-pubout")),
            "the public key is an EC key on curve unknown-curve (1.3.132.0.1) but ES256 needs curve P-256 (prime256v1); use a P-256 key"
        ),
        (
            OpenSSLMadeKey(description: "SPKI explicit parameters", steps: [OpenSSLMadeKey.ec("prime256v1", explicit: true)] + OpenSSLMadeKey.rewrite("pkey", "-pubout")),
            "the EC public key has no named curve; use a P-256 key (prime256v1)"
        ),
        (
            OpenSSLMadeKey(description: "SPKI Ed25519", steps: [OpenSSLMadeKey.genpkey("ed25519")] + OpenSSLMadeKey.rewrite("pkey", "-pubout")),
            "the public key type Ed25519 is not supported; use a P-256 EC key (ES256) or an RSA key of at least 2048 bits (RS256)"
        ),
        (
            OpenSSLMadeKey(description: "SPKI RSA 1024", steps: [OpenSSLMadeKey.genpkey("RSA", "rsa_keygen_bits:1024")] + OpenSSLMadeKey.rewrite("pkey", "-pubout")),
            "the RSA public key has only 1024 bits but RS256 needs at least 2048; generate a new key of at least 2048 bits"
        ),
    ]

    @Test("public keys are refused with the exact message", arguments: 0..<publicKeys.count)
    func publicKeyMessage(index: Int) throws {
        let (made, message) = Self.publicKeys[index]
        let directory = try TemporaryDirectory()
        let path = try made.generate(in: directory)
        let error = try #require(throws: KeyError.self, "\(made)") {
            try JSONWebKey(publicKeyPEM: Files.text(path), keyID: "k", source: path)
        }
        #expect(error.message == message, "\(made)")
    }

    @Test("an unknown curve is named by its dotted OID, also under arc 2 with a second arc of 40 or more")
    func unknownCurveUnderArc2() throws {
        // SubjectPublicKeyInfo { { id-ecPublicKey, 2.999.1 }, BIT STRING 04 }: the curve is checked before the point.
        let der: [UInt8] = [
            0x30, 0x14, 0x30, 0x0E, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01, 0x06, 0x03, 0x88, 0x37, 0x01,
            0x03, 0x02, 0x00, 0x04,
        ]
        let pem = "-----BEGIN PUBLIC KEY-----\n\(Data(der).base64EncodedString())\n-----END PUBLIC KEY-----\n"
        let error = try #require(throws: KeyError.self) {
            try JSONWebKey(publicKeyPEM: pem, keyID: "k", source: "public.pem")
        }
        #expect(error.message == "the public key is an EC key on curve unknown-curve (2.999.1) but ES256 needs curve P-256 (prime256v1); use a P-256 key")
    }

    @Test("a key whose DER is cut short is reported as damaged, naming its block")
    func damagedDER() throws {
        let directory = try TemporaryDirectory()
        let path = try RejectedKey.truncatedBody.generate(in: directory)
        let error = try #require(throws: KeyError.self) {
            try SigningKey.load(privateKeyFile: path, keyID: "k", algorithm: .es256)
        }
        #expect(error.message == "the EC PRIVATE KEY block does not contain a valid key; restore the file from a good copy or generate a new key")
    }

    @Test("PEM bodies wrapped at other widths than 64 are read, as OpenSSL reads them", arguments: [AcceptedKeyFormat.sec1, .pkcs8RSA], [76, 0])
    func otherLineWidths(format: AcceptedKeyFormat, width: Int) throws {
        let directory = try TemporaryDirectory()
        let path = try format.generate(in: directory)
        let key = try SigningKey(pem: Self.rewrap(Files.text(path), width: width), keyID: "k", algorithm: format.algorithm, source: "rewrapped")
        #expect(key.publicKeyPEM == (try OpenSSLReference.publicKeyPEM(ofPrivateKey: path)))
        let jwk = try JSONWebKey(publicKeyPEM: Self.rewrap(key.publicKeyPEM, width: width), keyID: "k", source: "rewrapped")
        #expect(jwk == key.publicJWK)
    }

    /// `pem` (one block) with its base64 body re-wrapped at `width` columns, or on one line for 0.
    static func rewrap(_ pem: String, width: Int) -> String {
        let lines = pem.split(separator: "\n")
        var rest = Substring(lines.dropFirst().dropLast().joined())
        var wrapped: [Substring] = []
        while !rest.isEmpty {
            let count = width == 0 ? rest.count : min(width, rest.count)
            wrapped.append(rest.prefix(count))
            rest = rest.dropFirst(count)
        }
        return ([lines[0]] + wrapped + [lines[lines.count - 1]]).joined(separator: "\n") + "\n"
    }
}
