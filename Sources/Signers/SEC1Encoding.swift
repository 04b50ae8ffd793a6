import Crypto
import FoundationEssentials
import SwiftASN1

/// Writes P-256 private keys as RFC 5915 `ECPrivateKey` (SEC1), the format of `openssl ecparam -genkey -noout`.
enum SEC1Encoding {
    /// The DER: SEQUENCE { INTEGER 1, OCTET STRING (32-byte key), [0] prime256v1, [1] BIT STRING (uncompressed public key) }.
    ///
    /// The serializer writes into one buffer it reserved up front (1 KiB, far more than these 121 bytes), so the scalar
    /// is not left behind in reallocated copies; the caller wipes the result.
    static func der(for key: P256.Signing.PrivateKey) throws -> [UInt8] {
        var scalar = [UInt8](key.rawRepresentation)
        defer { scalar.wipe() }
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)
            try coder.serialize(ASN1OctetString(contentBytes: scalar[...]))
            try coder.serialize(ASN1ObjectIdentifier.NamedCurves.secp256r1, explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific)
            try coder.serialize(ASN1BitString(bytes: ArraySlice(key.publicKey.x963Representation)), explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific)
        }
        return serializer.serializedBytes
    }

    /// The PEM (`-----BEGIN EC PRIVATE KEY-----`) as UTF-8 bytes, so the caller can wipe them after writing.
    /// `path` is where it is to be written, for the error.
    ///
    /// Written here rather than with SwiftASN1's `PEMDocument.pemString`, whose intermediate strings cannot be wiped.
    static func pemBytes(for key: P256.Signing.PrivateKey, path: String) throws(KeyError) -> [UInt8] {
        var der: [UInt8]
        do {
            der = try Self.der(for: key)
        } catch {
            throw KeyError(.writeFailed, path: path, message: "the new key could not be DER-encoded; retry")
        }
        var raw = Data(der)
        var base64 = raw.base64EncodedData()
        defer {
            der.wipe()
            raw.resetBytes(in: 0..<raw.count)
            base64.resetBytes(in: 0..<base64.count)
        }
        let label = "EC PRIVATE KEY"
        var out: [UInt8] = []
        out.reserveCapacity(base64.count + base64.count / 64 + 2 * label.utf8.count + 40)
        out += Array("-----BEGIN \(label)-----\n".utf8)
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = min(index + 64, base64.endIndex)
            out += base64[index..<end]
            out.append(UInt8(ascii: "\n"))
            index = end
        }
        out += Array("-----END \(label)-----\n".utf8)
        return out
    }
}
