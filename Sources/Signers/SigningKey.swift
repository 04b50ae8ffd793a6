import Crypto
import _CryptoExtras
import FoundationEssentials
import SwiftASN1

/// A private signing key with its JOSE key id.
///
/// Creating a key precomputes everything a signature needs besides the payload (the encoded JWS header,
/// the public JWK and PEM), so ``signCompact(payload:)`` does no JSON work.
public struct SigningKey: Sendable {
    /// The private key as the crypto library holds it.
    enum Backing: Sendable {
        case p256(P256.Signing.PrivateKey)
        case rsa(_RSA.Signing.PrivateKey)
    }

    /// The JWS algorithm this key signs with.
    public let algorithm: SigningAlgorithm
    /// The JOSE key id (`kid`) put in every header and in the public JWK.
    public let keyID: String
    /// The public JWK (kty, kid, use "sig", alg, and crv/x/y or n/e).
    public let publicJWK: JSONWebKey
    /// The public key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), ending with a newline.
    public let publicKeyPEM: String

    let backing: Backing
    /// ES256 signing with precomputed per-signature values, used once its checks pass (``P256BatchSigner``).
    let batchSigner: P256BatchSigner?
    /// Where the key came from (a file path), for error messages.
    let source: String
    /// `base64url(header) + "."`, computed once.
    let encodedHeaderPrefix: [UInt8]
    /// The signature size in bytes (64 for ES256, the modulus size for RS256).
    let signatureByteCount: Int

    /// Parses PEM text.
    ///
    /// - Parameters:
    ///   - pem: SEC1 `EC PRIVATE KEY` (an `EC PARAMETERS` block before it is skipped), PKCS#8 `PRIVATE KEY`
    ///     (EC P-256 or RSA) or PKCS#1 `RSA PRIVATE KEY`. Encrypted keys are refused.
    ///   - keyID: The `kid`; must not be empty.
    ///   - expected: The configured algorithm: ES256 needs a P-256 EC key, RS256 an RSA key of at least 2048 bits.
    ///   - source: Where the text came from (a file path), for error messages.
    public init(pem: String, keyID: String, algorithm expected: SigningAlgorithm, source: String) throws(KeyError) {
        let material = try PrivateKeyParser.parse(pem: pem, source: source)
        let backing = try Self.backing(for: material, expected: expected, source: source)
        try self.init(backing: backing, keyID: keyID, source: source)
    }

    /// Parses PEM text and takes the algorithm from the key: ES256 for P-256, RS256 for RSA >= 2048 bits.
    init(pem: String, keyID: String, source: String) throws(KeyError) {
        let material = try PrivateKeyParser.parse(pem: pem, source: source)
        let expected: SigningAlgorithm
        switch material {
        case .rsa: expected = .rs256
        default: expected = .es256
        }
        let backing = try Self.backing(for: material, expected: expected, source: source)
        try self.init(backing: backing, keyID: keyID, source: source)
    }

    /// Wraps an existing crypto-library key.
    init(backing: Backing, keyID: String, source: String) throws(KeyError) {
        guard !keyID.isEmpty else {
            throw KeyError(.invalidKeyID, path: source, message: "the key id (kid) is empty; configure a non-empty key id for this key")
        }
        self.backing = backing
        self.keyID = keyID
        self.source = source
        switch backing {
        case .p256(let key):
            algorithm = .es256
            signatureByteCount = 64
            let publicKey = key.publicKey
            batchSigner = P256BatchSigner(key, publicKey: publicKey)
            publicJWK = JSONWebKey(p256: publicKey, keyID: keyID)
            publicKeyPEM = PEMDocument.publicKeyText(spki: publicKey.derRepresentation)
        case .rsa(let key):
            algorithm = .rs256
            signatureByteCount = (key.keySizeInBits + 7) / 8
            batchSigner = nil
            let publicKey = key.publicKey
            guard let jwk = JSONWebKey(rsa: publicKey, keyID: keyID) else {
                throw KeyError(.malformedKey, path: source, message: "the RSA public key parameters could not be read; generate a new key")
            }
            publicJWK = jwk
            publicKeyPEM = PEMDocument.publicKeyText(spki: publicKey.derRepresentation)
        }
        let header = "{\"alg\":\"\(algorithm.rawValue)\",\"kid\":\(JSONText.quoted(keyID)),\"typ\":\"JWT\"}"
        var prefix = Array(Base64URL.encode(Data(header.utf8)).utf8)
        prefix.append(UInt8(ascii: "."))
        encodedHeaderPrefix = prefix
    }

    /// Checks the classified key against the configured algorithm and builds the crypto-library key.
    private static func backing(for material: PrivateKeyMaterial, expected: SigningAlgorithm, source: String) throws(KeyError) -> Backing {
        let supported = "use a P-256 EC key (algorithm: ES256) or an RSA key of at least 2048 bits (algorithm: RS256)"
        switch (material, expected) {
        case (.p256(let key), .es256):
            return .p256(key)
        case (.p256, .rs256):
            throw KeyError(.algorithmMismatch, path: source, message: "the key is a P-256 EC key but the configured algorithm is RS256; set algorithm: ES256 or use an RSA key of at least 2048 bits")
        case (.ecOtherCurve(let curve), .es256):
            throw KeyError(.unsupportedKey, path: source, message: "the key is an EC key on curve \(curve) but ES256 needs curve P-256 (prime256v1); generate one with `openssl ecparam -name prime256v1 -genkey -noout -out <file>`")
        case (.ecOtherCurve(let curve), .rs256):
            throw KeyError(.algorithmMismatch, path: source, message: "the key is an EC key on curve \(curve) but the configured algorithm is RS256; use an RSA key of at least 2048 bits")
        case (.rsa, .es256):
            throw KeyError(.algorithmMismatch, path: source, message: "the key is an RSA key but the configured algorithm is ES256; set algorithm: RS256 or use a P-256 EC key")
        case (.rsa(_, let bits), .rs256) where bits < 2048:
            throw KeyError(.weakKey, path: source, message: "the RSA key has only \(bits) bits but RS256 needs at least 2048; generate a new key with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048`")
        case (.rsa(let der, _), .rs256):
            do {
                return .rsa(try _RSA.Signing.PrivateKey(derRepresentation: der))
            } catch {
                throw KeyError(.malformedKey, path: source, message: "the RSA private key is invalid or inconsistent; restore the file from a good copy or generate a new key")
            }
        case (.otherType(let type), _):
            throw KeyError(.unsupportedKey, path: source, message: "the key type \(type) is not supported; \(supported)")
        }
    }

    /// Generates a new random key (P-256 for ES256, 2048-bit RSA for RS256), e.g. for tests.
    public static func generate(algorithm: SigningAlgorithm, keyID: String) throws(KeyError) -> SigningKey {
        switch algorithm {
        case .es256:
            return try SigningKey(backing: .p256(P256.Signing.PrivateKey()), keyID: keyID, source: "generated key")
        case .rs256:
            let key: _RSA.Signing.PrivateKey
            do {
                key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            } catch {
                throw KeyError(.signingFailed, path: "generated key", message: "RSA key generation failed; retry")
            }
            return try SigningKey(backing: .rsa(key), keyID: keyID, source: "generated key")
        }
    }
}
