/// DER contents of the OBJECT IDENTIFIERs that appear in key files, and readable names for them.
enum ObjectIdentifiers {
    static let ecPublicKey: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]  // 1.2.840.10045.2.1
    static let prime256v1: [UInt8] = [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]  // 1.2.840.10045.3.1.7
    static let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]  // 1.2.840.113549.1.1.1

    /// A readable name for a curve OID, e.g. `P-384`.
    static func curveName(_ oid: ArraySlice<UInt8>) -> String {
        switch Array(oid) {
        case prime256v1: return "P-256"
        case [0x2B, 0x81, 0x04, 0x00, 0x22]: return "P-384"
        case [0x2B, 0x81, 0x04, 0x00, 0x23]: return "P-521"
        case [0x2B, 0x81, 0x04, 0x00, 0x0A]: return "secp256k1"
        case [0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x01]: return "P-192"
        case [0x2B, 0x81, 0x04, 0x00, 0x21]: return "P-224"
        default:
            if oid.starts(with: [0x2B, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01]) { return "Brainpool" }
            return "unknown-curve (\(dotted(oid)))"
        }
    }

    /// A readable name for a public-key algorithm OID other than EC and RSA, e.g. `Ed25519`.
    static func algorithmName(_ oid: ArraySlice<UInt8>) -> String {
        switch Array(oid) {
        case [0x2B, 0x65, 0x70]: return "Ed25519"
        case [0x2B, 0x65, 0x71]: return "Ed448"
        case [0x2B, 0x65, 0x6E]: return "X25519"
        case [0x2B, 0x65, 0x6F]: return "X448"
        case [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0A]: return "RSA-PSS"
        case [0x2A, 0x86, 0x48, 0xCE, 0x38, 0x04, 0x01]: return "DSA"
        case [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x03, 0x01]: return "DH"
        default: return "unknown-algorithm (\(dotted(oid)))"
        }
    }

    /// The dotted-decimal form of an OID, e.g. `1.2.840.10045.3.1.7`.
    static func dotted(_ oid: ArraySlice<UInt8>) -> String {
        var arcs: [UInt64] = []
        var value: UInt64 = 0
        for byte in oid {
            guard value < (UInt64(1) << 56) else { return "?" }
            value = (value << 7) | UInt64(byte & 0x7F)
            if byte & 0x80 == 0 {
                if arcs.isEmpty {
                    let first = min(value / 40, 2)
                    arcs.append(first)
                    arcs.append(value - first * 40)
                } else {
                    arcs.append(value)
                }
                value = 0
            }
        }
        return arcs.map(String.init).joined(separator: ".")
    }
}
