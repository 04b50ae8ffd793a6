import Crypto

/// Writes P-256 private keys as RFC 5915 `ECPrivateKey` (SEC1), the format of `openssl ecparam -genkey -noout`.
enum SEC1Encoding {
    /// The DER: SEQUENCE { INTEGER 1, OCTET STRING (32-byte key), [0] prime256v1, [1] BIT STRING (uncompressed public key) }.
    static func der(for key: P256.Signing.PrivateKey) -> [UInt8] {
        var der: [UInt8] = []
        der.reserveCapacity(121)
        der += [0x30, 0x77]  // SEQUENCE, 119 bytes
        der += [0x02, 0x01, 0x01]  // version 1
        der += [0x04, 0x20]  // OCTET STRING, 32 bytes
        var scalar = [UInt8](key.rawRepresentation)
        der += scalar
        scalar.wipe()
        der += [0xA0, 0x0A, 0x06, 0x08] + ObjectIdentifiers.prime256v1  // [0] namedCurve
        der += [0xA1, 0x44, 0x03, 0x42, 0x00]  // [1] BIT STRING, 66 bytes, no unused bits
        der += key.publicKey.x963Representation  // 0x04 || x || y
        return der
    }

    /// The PEM (`-----BEGIN EC PRIVATE KEY-----`) as UTF-8 bytes, so the caller can wipe them after writing.
    static func pemBytes(for key: P256.Signing.PrivateKey) -> [UInt8] {
        var der = der(for: key)
        defer { der.wipe() }
        return PEMDocument.encodeBytes(label: "EC PRIVATE KEY", der: der)
    }
}
