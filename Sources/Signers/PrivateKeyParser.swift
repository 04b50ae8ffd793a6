import Crypto
import FoundationEssentials
import SwiftASN1

/// The key found in a private-key PEM, classified before it is checked against the configured algorithm.
enum PrivateKeyMaterial {
    /// A valid P-256 EC key.
    case p256(P256.Signing.PrivateKey)
    /// An EC key on another curve (named for messages, e.g. `P-384`).
    case ecOtherCurve(String)
    /// An RSA key: its PKCS#1 `RSAPrivateKey` DER and modulus size.
    case rsa(pkcs1: [UInt8], bits: Int)
    /// A key of a type credmon does not sign with (named for messages, e.g. `Ed25519`).
    case otherType(String)
}

/// Finds and classifies the private key in PEM text (SEC1, PKCS#8 or PKCS#1).
enum PrivateKeyParser {
    private static let privateLabels: Set<String> = ["EC PRIVATE KEY", "PRIVATE KEY", "RSA PRIVATE KEY"]

    /// Classifies the single private key in `pem`. `source` names the text's origin for errors.
    static func parse(pem: String, source: String) throws(KeyError) -> PrivateKeyMaterial {
        let blocks = PEMBlock.blocks(in: pem)
        if blocks.isEmpty {
            if pem.trimmed(where: SignersText.isSpaceOrNewline).isEmpty {
                throw KeyError(.noPrivateKey, path: source, message: "the key file is empty; put a PEM private key in it (for example the output of `openssl ecparam -name prime256v1 -genkey -noout`)")
            }
            throw KeyError(.noPrivateKey, path: source, message: "the file is not PEM text (it has no BEGIN line); expected an EC PRIVATE KEY, PRIVATE KEY or RSA PRIVATE KEY block")
        }
        let candidates = blocks.filter { $0.label.hasSuffix("PRIVATE KEY") }
        guard let block = candidates.first else {
            let found = Set(blocks.map { shortLabel($0.label) }).sorted().joined(separator: ", ")
            throw KeyError(.noPrivateKey, path: source, message: "the file holds no private key, only: \(found); point the setting at the private key file (EC PRIVATE KEY, PRIVATE KEY or RSA PRIVATE KEY)")
        }
        guard candidates.count == 1 else {
            throw KeyError(.unsupportedKey, path: source, message: "the file holds \(candidates.count) private keys; keep exactly one private key in the file")
        }
        if block.label == "ENCRYPTED PRIVATE KEY" || block.isLegacyEncrypted {
            throw KeyError(.encryptedKey, path: source, message: "the private key is protected by a passphrase, which credmon cannot supply; store it unencrypted with mode 0600 (for example `openssl pkey -in <file> -out <new file>`)")
        }
        switch block.label {
        case "OPENSSH PRIVATE KEY":
            throw KeyError(.unsupportedKey, path: source, message: "the key is in OpenSSH format; convert it to PEM (`ssh-keygen -p -m PEM -f <copy of the file>`) or generate a new key")
        case "DSA PRIVATE KEY":
            return .otherType("DSA")
        case let label where !privateLabels.contains(label):
            throw KeyError(.unsupportedKey, path: source, message: "the PEM block type '\(shortLabel(label))' is not supported; use an EC PRIVATE KEY, PRIVATE KEY (PKCS#8) or RSA PRIVATE KEY block")
        default:
            break
        }
        guard let der = block.der else {
            throw damaged(source, "the \(block.label) block is damaged (invalid base64 or a missing END line)")
        }
        do {
            switch block.label {
            case "EC PRIVATE KEY": return try parseSEC1(der[...], curve: nil)
            case "RSA PRIVATE KEY": return try parsePKCS1(der[...])
            default: return try parsePKCS8(der[...])
            }
        } catch {
            throw damaged(source, "the \(block.label) block does not contain a valid key")
        }
    }

    private static func damaged(_ source: String, _ what: String) -> KeyError {
        KeyError(.malformedKey, path: source, message: "\(what); restore the file from a good copy or generate a new key")
    }

    /// A PEM label shortened for messages (labels come from the file, which may be arbitrary text).
    private static func shortLabel(_ label: String) -> String {
        label.count > 40 ? String(label.prefix(40)) + "…" : label
    }

    private static let explicitCurveParameters = "EC with explicit curve parameters (re-export it with `openssl ec -param_enc named_curve`)"

    // The parsers below throw when the DER is damaged and return what they found otherwise.

    /// RFC 5915 `ECPrivateKey`. `outerCurve` is the curve named by a PKCS#8 wrapper, if any.
    static func parseSEC1(_ der: ArraySlice<UInt8>, curve outerCurve: ASN1ObjectIdentifier?) throws -> PrivateKeyMaterial {
        var fields = try DER.parse(der).sequenceElements()
        guard try Int(derEncoded: &fields) == 1 else { throw ASN1Error.invalidASN1Object(reason: "ECPrivateKey version is not 1") }
        let scalar = try ASN1OctetString(derEncoded: &fields).bytes
        var curve = outerCurve
        if let parameters = try DER.optionalExplicitlyTagged(&fields, tagNumber: 0, tagClass: .contextSpecific, { $0 }) {
            guard parameters.identifier == .objectIdentifier else { return .otherType(explicitCurveParameters) }
            let namedCurve = try ASN1ObjectIdentifier(derEncoded: parameters)
            if let outerCurve, outerCurve != namedCurve {
                throw ASN1Error.invalidASN1Object(reason: "the curves of ECPrivateKey and PrivateKeyInfo differ")
            }
            curve = namedCurve
        }
        let publicKey = try DER.optionalExplicitlyTagged(&fields, tagNumber: 1, tagClass: .contextSpecific) {
            try ASN1BitString(derEncoded: $0)
        }
        guard let curve, publicKey?.paddingBits ?? 0 == 0 else {
            throw ASN1Error.invalidASN1Object(reason: "ECPrivateKey without a curve or with a partial-byte public key")
        }
        guard curve == ASN1ObjectIdentifier.NamedCurves.secp256r1 else { return .ecOtherCurve(curve.curveName) }
        guard scalar.count <= 32 else { throw ASN1Error.invalidASN1Object(reason: "P-256 private key longer than 32 bytes") }
        var raw = [UInt8](repeating: 0, count: 32 - scalar.count) + scalar
        defer { raw.wipe() }
        let key = try P256.Signing.PrivateKey(rawRepresentation: raw)
        if let encoded = publicKey?.bytes {
            guard encoded.elementsEqual(key.publicKey.x963Representation)
                || encoded.elementsEqual(key.publicKey.compressedRepresentation) else {
                throw ASN1Error.invalidASN1Object(reason: "the public key does not match the private key")
            }
        }
        return .p256(key)
    }

    /// RFC 8017 `RSAPrivateKey` (PKCS#1). Only the version and modulus are read here; the crypto library reads the rest.
    static func parsePKCS1(_ der: ArraySlice<UInt8>) throws -> PrivateKeyMaterial {
        var fields = try DER.parse(der).sequenceElements()
        let version = try Int(derEncoded: &fields)
        guard version == 0 else {
            guard version == 1 else { throw ASN1Error.invalidASN1Object(reason: "unknown RSAPrivateKey version") }
            return .otherType("multi-prime RSA")
        }
        let modulus = try ArraySlice<UInt8>(derEncoded: &fields)
        _ = try ArraySlice<UInt8>(derEncoded: &fields)  // publicExponent
        return .rsa(pkcs1: Array(der), bits: modulus.integerBitLength)
    }

    /// RFC 5208 / 5958 `PrivateKeyInfo` (PKCS#8, unencrypted) holding an EC or RSA key.
    static func parsePKCS8(_ der: ArraySlice<UInt8>) throws -> PrivateKeyMaterial {
        var fields = try DER.parse(der).sequenceElements()
        guard (0...1).contains(try Int(derEncoded: &fields)) else {
            throw ASN1Error.invalidASN1Object(reason: "unknown PrivateKeyInfo version")
        }
        var algorithmFields = try fields.nextSequence()
        let privateKey = try ASN1OctetString(derEncoded: &fields).bytes
        let algorithm = try ASN1ObjectIdentifier(derEncoded: &algorithmFields)
        switch algorithm {
        case ASN1ObjectIdentifier.AlgorithmIdentifier.idEcPublicKey:
            guard let parameters = algorithmFields.next() else { throw ASN1Error.truncatedASN1Field() }
            guard parameters.identifier == .objectIdentifier else { return .otherType(explicitCurveParameters) }
            return try parseSEC1(privateKey, curve: ASN1ObjectIdentifier(derEncoded: parameters))
        case ASN1ObjectIdentifier.AlgorithmIdentifier.rsaEncryption:
            return try parsePKCS1(privateKey)
        default:
            return .otherType(algorithm.keyAlgorithmName)
        }
    }
}
