import Crypto
import Foundation

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
        let blocks = PEMDocument.blocks(in: pem)
        if blocks.isEmpty {
            if pem.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
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
        let result: PrivateKeyMaterial?
        switch block.label {
        case "EC PRIVATE KEY": result = parseSEC1(der[...], curve: nil)
        case "RSA PRIVATE KEY": result = parsePKCS1(der[...])
        default: result = parsePKCS8(der[...])
        }
        guard let result else {
            throw damaged(source, "the \(block.label) block does not contain a valid key")
        }
        return result
    }

    private static func damaged(_ source: String, _ what: String) -> KeyError {
        KeyError(.malformedKey, path: source, message: "\(what); restore the file from a good copy or generate a new key")
    }

    /// A PEM label shortened for messages (labels come from the file, which may be arbitrary text).
    private static func shortLabel(_ label: String) -> String {
        label.count > 40 ? String(label.prefix(40)) + "…" : label
    }

    /// RFC 5915 `ECPrivateKey`. `curve` is the OID from a PKCS#8 wrapper, if any.
    static func parseSEC1(_ der: ArraySlice<UInt8>, curve outerCurve: ArraySlice<UInt8>?) -> PrivateKeyMaterial? {
        guard let sequence = DERReader.single(DERReader.Tag.sequence, in: der) else { return nil }
        var reader = DERReader(sequence)
        guard let version = reader.read(DERReader.Tag.integer), DERInteger.smallValue(version) == 1,
              let scalar = reader.read(DERReader.Tag.octetString) else { return nil }
        var curve = outerCurve
        if let parameters = reader.readOptional(DERReader.Tag.contextConstructed0) {
            guard let oid = DERReader.single(DERReader.Tag.objectIdentifier, in: parameters) else {
                return .otherType("EC with explicit curve parameters (re-export it with `openssl ec -param_enc named_curve`)")
            }
            if let outerCurve, outerCurve.elementsEqual(oid) == false { return nil }
            curve = oid
        }
        var encodedPublicKey: ArraySlice<UInt8>?
        if let publicKeyField = reader.readOptional(DERReader.Tag.contextConstructed1) {
            guard let bits = DERReader.single(DERReader.Tag.bitString, in: publicKeyField), bits.first == 0 else { return nil }
            encodedPublicKey = bits.dropFirst()
        }
        guard let curve else { return nil }
        guard curve.elementsEqual(ObjectIdentifiers.prime256v1) else {
            return .ecOtherCurve(ObjectIdentifiers.curveName(curve))
        }
        guard scalar.count <= 32 else { return nil }
        var raw = [UInt8](repeating: 0, count: 32 - scalar.count) + scalar
        defer { raw.wipe() }
        guard let key = try? P256.Signing.PrivateKey(rawRepresentation: raw) else { return nil }
        if let encodedPublicKey {
            let publicKey = key.publicKey
            guard encodedPublicKey.elementsEqual(publicKey.x963Representation)
                || encodedPublicKey.elementsEqual(publicKey.compressedRepresentation) else { return nil }
        }
        return .p256(key)
    }

    /// RFC 8017 `RSAPrivateKey` (PKCS#1).
    static func parsePKCS1(_ der: ArraySlice<UInt8>) -> PrivateKeyMaterial? {
        guard let sequence = DERReader.single(DERReader.Tag.sequence, in: der) else { return nil }
        var reader = DERReader(sequence)
        guard let version = reader.read(DERReader.Tag.integer).flatMap(DERInteger.smallValue) else { return nil }
        guard version == 0 else { return version == 1 ? .otherType("multi-prime RSA") : nil }
        guard let modulus = reader.read(DERReader.Tag.integer), reader.read(DERReader.Tag.integer) != nil else { return nil }
        return .rsa(pkcs1: Array(der), bits: DERInteger.bitLength(modulus))
    }

    /// RFC 5208 / 5958 `PrivateKeyInfo` (PKCS#8, unencrypted) holding an EC or RSA key.
    static func parsePKCS8(_ der: ArraySlice<UInt8>) -> PrivateKeyMaterial? {
        guard let sequence = DERReader.single(DERReader.Tag.sequence, in: der) else { return nil }
        var reader = DERReader(sequence)
        guard let version = reader.read(DERReader.Tag.integer).flatMap(DERInteger.smallValue), version <= 1,
              let algorithmIdentifier = reader.read(DERReader.Tag.sequence),
              let privateKey = reader.read(DERReader.Tag.octetString) else { return nil }
        var algorithmReader = DERReader(algorithmIdentifier)
        guard let algorithm = algorithmReader.read(DERReader.Tag.objectIdentifier) else { return nil }
        if algorithm.elementsEqual(ObjectIdentifiers.ecPublicKey) {
            guard let parameters = algorithmReader.readAny() else { return nil }
            guard parameters.tag == DERReader.Tag.objectIdentifier else {
                return .otherType("EC with explicit curve parameters (re-export it with `openssl ec -param_enc named_curve`)")
            }
            return parseSEC1(privateKey, curve: parameters.content)
        }
        if algorithm.elementsEqual(ObjectIdentifiers.rsaEncryption) {
            return parsePKCS1(privateKey)
        }
        return .otherType(ObjectIdentifiers.algorithmName(algorithm))
    }
}
