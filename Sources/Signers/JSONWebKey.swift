import Crypto
import _CryptoExtras
import FoundationEssentials
import SwiftASN1

/// A public JSON Web Key (RFC 7517) as published in a JWKS.
///
/// Absent optional members are omitted from the JSON.
public struct JSONWebKey: Sendable, Equatable, Codable {
    /// Key type: `EC` or `RSA`.
    public var kty: String
    /// Key id.
    public var kid: String
    /// Public key use; `sig` for signing keys.
    public var use: String
    /// Algorithm: `ES256` or `RS256`.
    public var alg: String
    /// EC curve, `P-256`.
    public var crv: String?
    /// EC x coordinate, unpadded base64url of the 32-byte big-endian value.
    public var x: String?
    /// EC y coordinate, unpadded base64url of the 32-byte big-endian value.
    public var y: String?
    /// RSA modulus, unpadded base64url, big-endian, no leading zero byte.
    public var n: String?
    /// RSA public exponent, unpadded base64url, big-endian, no leading zero byte.
    public var e: String?

    /// Creates a JWK from its members.
    public init(kty: String, kid: String, use: String = "sig", alg: String, crv: String? = nil, x: String? = nil, y: String? = nil, n: String? = nil, e: String? = nil) {
        self.kty = kty
        self.kid = kid
        self.use = use
        self.alg = alg
        self.crv = crv
        self.x = x
        self.y = y
        self.n = n
        self.e = e
    }

    /// The JWK of a P-256 public key (`alg` ES256).
    init(p256 publicKey: P256.Signing.PublicKey, keyID: String) {
        let raw = publicKey.rawRepresentation  // x || y, 32 bytes each
        self.init(
            kty: "EC", kid: keyID, alg: SigningAlgorithm.es256.rawValue, crv: "P-256",
            x: Base64URL.encode(raw.prefix(32)), y: Base64URL.encode(raw.suffix(32))
        )
    }

    /// The JWK of an RSA public key (`alg` RS256); nil if its parameters cannot be read.
    init?(rsa publicKey: _RSA.Signing.PublicKey, keyID: String) {
        guard let primitives = try? publicKey.getKeyPrimitives() else { return nil }
        self.init(
            kty: "RSA", kid: keyID, alg: SigningAlgorithm.rs256.rawValue,
            n: Base64URL.encode(Self.minimal(primitives.modulus)),
            e: Base64URL.encode(Self.minimal(primitives.publicExponent))
        )
    }

    /// Builds the JWK from a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`) holding a P-256 EC key
    /// (`alg` ES256) or an RSA key of at least 2048 bits (`alg` RS256). `source` names the text's origin for errors.
    public init(publicKeyPEM: String, keyID: String, source: String) throws(KeyError) {
        guard !keyID.isEmpty else {
            throw KeyError(.invalidKeyID, path: source, message: "the key id (kid) is empty; configure a non-empty key id for this key")
        }
        let blocks = PEMBlock.blocks(in: publicKeyPEM)
        guard let block = blocks.first(where: { $0.label == "PUBLIC KEY" }) else {
            let hasPrivate = blocks.contains { $0.label.hasSuffix("PRIVATE KEY") }
            let hint = hasPrivate
                ? "the file holds a private key; publish the public key instead (`openssl pkey -in <private key> -pubout`)"
                : "expected a PEM PUBLIC KEY block (`openssl pkey -in <private key> -pubout`)"
            throw KeyError(.noPublicKey, path: source, message: "no public key found; \(hint)")
        }
        let damaged = KeyError(.malformedKey, path: source, message: "the PUBLIC KEY block is damaged; regenerate it from the private key with `openssl pkey -in <private key> -pubout`")
        guard let der = block.der, let spki = try? SubjectPublicKeyInfo(derEncoded: der) else { throw damaged }

        switch spki.algorithm {
        case ASN1ObjectIdentifier.AlgorithmIdentifier.idEcPublicKey:
            guard let parameters = spki.parameters, parameters.identifier == .objectIdentifier else {
                throw KeyError(.unsupportedKey, path: source, message: "the EC public key has no named curve; use a P-256 key (prime256v1)")
            }
            guard let curve = try? ASN1ObjectIdentifier(derEncoded: parameters) else { throw damaged }
            guard curve == ASN1ObjectIdentifier.NamedCurves.secp256r1 else {
                throw KeyError(.unsupportedKey, path: source, message: "the public key is an EC key on curve \(curve.curveName) but ES256 needs curve P-256 (prime256v1); use a P-256 key")
            }
            guard let key = try? P256.Signing.PublicKey(derRepresentation: der) else { throw damaged }
            self.init(p256: key, keyID: keyID)
        case ASN1ObjectIdentifier.AlgorithmIdentifier.rsaEncryption:
            // RFC 8017 RSAPublicKey: the modulus is read here for the size check; the crypto library reads the rest.
            guard spki.key.paddingBits == 0,
                  var fields = try? DER.parse(spki.key.bytes).sequenceElements(),
                  let modulus = try? ArraySlice<UInt8>(derEncoded: &fields) else { throw damaged }
            let bitCount = modulus.integerBitLength
            guard bitCount >= 2048 else {
                throw KeyError(.weakKey, path: source, message: "the RSA public key has only \(bitCount) bits but RS256 needs at least 2048; generate a new key of at least 2048 bits")
            }
            guard let key = try? _RSA.Signing.PublicKey(derRepresentation: der),
                  let jwk = JSONWebKey(rsa: key, keyID: keyID) else { throw damaged }
            self = jwk
        default:
            throw KeyError(.unsupportedKey, path: source, message: "the public key type \(spki.algorithm.keyAlgorithmName) is not supported; use a P-256 EC key (ES256) or an RSA key of at least 2048 bits (RS256)")
        }
    }

    /// Big-endian bytes without leading zero bytes (at least one byte).
    private static func minimal(_ data: Data) -> Data {
        let trimmed = data.drop(while: { $0 == 0 })
        return trimmed.isEmpty ? Data([0]) : Data(trimmed)
    }
}
