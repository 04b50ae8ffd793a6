import SwiftASN1

extension ASN1Node {
    /// The elements of this SEQUENCE, to be read in order. Unlike `DER.sequence`, elements left unread are allowed:
    /// the key formats have extensible tails (PKCS#8 attributes, the rest of an `RSAPrivateKey` that the crypto library
    /// reads later).
    func sequenceElements() throws -> ASN1NodeCollection.Iterator {
        guard identifier == .sequence, case .constructed(let nodes) = content else {
            throw ASN1Error.unexpectedFieldType(identifier)
        }
        return nodes.makeIterator()
    }
}

extension ASN1NodeCollection.Iterator {
    /// The elements of the next element, which must be a SEQUENCE (see ``ASN1Node/sequenceElements()``).
    mutating func nextSequence() throws -> ASN1NodeCollection.Iterator {
        guard let node = next() else { throw ASN1Error.truncatedASN1Field() }
        return try node.sequenceElements()
    }
}

extension ArraySlice<UInt8> {
    /// The bit length of a non-negative INTEGER read as `ArraySlice<UInt8>` (big-endian magnitude).
    var integerBitLength: Int {
        let magnitude = drop(while: { $0 == 0 })
        guard let first = magnitude.first else { return 0 }
        return (magnitude.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }
}

/// RFC 5280 `SubjectPublicKeyInfo`, as far as the JWKS needs it.
struct SubjectPublicKeyInfo: DERParseable {
    /// The key algorithm, e.g. `id-ecPublicKey`.
    let algorithm: ASN1ObjectIdentifier
    /// The algorithm's parameters, if any: for EC keys, the named curve.
    let parameters: ASN1Node?
    /// The public key.
    let key: ASN1BitString

    init(derEncoded node: ASN1Node) throws {
        (algorithm, parameters, key) = try DER.sequence(node, identifier: .sequence) { fields in
            var algorithmFields = try fields.nextSequence()
            let algorithm = try ASN1ObjectIdentifier(derEncoded: &algorithmFields)
            return (algorithm, algorithmFields.next(), try ASN1BitString(derEncoded: &fields))
        }
    }
}

/// Readable names of the curves and key types credmon refuses, for error messages.
extension ASN1ObjectIdentifier {
    /// A readable name for a curve OID, e.g. `P-384`.
    var curveName: String {
        switch self {
        case NamedCurves.secp256r1: return "P-256"
        case NamedCurves.secp384r1: return "P-384"
        case NamedCurves.secp521r1: return "P-521"
        case [1, 3, 132, 0, 10]: return "secp256k1"
        case [1, 2, 840, 10045, 3, 1, 1]: return "P-192"
        case [1, 3, 132, 0, 33]: return "P-224"
        default:
            if oidComponents.starts(with: [1, 3, 36, 3, 3, 2, 8, 1, 1]) { return "Brainpool" }
            return "unknown-curve (\(dotted))"
        }
    }

    /// The dotted-decimal form, e.g. `1.2.840.10045.3.1.7`. SwiftASN1 1.7.4's `description` divides the first
    /// subidentifier (80 + x for an OID 2.x) by 40 even when x ≥ 40, so 2.999 reads as 26.39; here the first arc is at
    /// most 2, as X.690 § 8.19.4 has it.
    var dotted: String {
        var arcs = oidComponents
        if arcs[0] > 2 {
            arcs[1] += (arcs[0] - 2) * 40
            arcs[0] = 2
        }
        return arcs.map(String.init).joined(separator: ".")
    }

    /// A readable name for a public-key algorithm OID other than EC and RSA, e.g. `Ed25519`.
    var keyAlgorithmName: String {
        switch self {
        case [1, 3, 101, 112]: return "Ed25519"
        case [1, 3, 101, 113]: return "Ed448"
        case [1, 3, 101, 110]: return "X25519"
        case [1, 3, 101, 111]: return "X448"
        case AlgorithmIdentifier.rsaPSS: return "RSA-PSS"
        case [1, 2, 840, 10040, 4, 1]: return "DSA"
        case [1, 2, 840, 113549, 1, 3, 1]: return "DH"
        default: return "unknown-algorithm (\(dotted))"
        }
    }
}
