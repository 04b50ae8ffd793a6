import Crypto
import _CryptoExtras
import FoundationEssentials

/// Checks compact JWS tokens against a public JWK (for self-tests and tests; credmon itself only signs).
public enum CompactJWS {
    private struct Header: Decodable {
        var alg: String
        var kid: String?
    }

    /// The decoded payload of `token` if its signature verifies with `key` and its header's `alg`
    /// (and `kid`, when present) match the key; nil otherwise.
    public static func verifiedPayload(of token: String, with key: JSONWebKey) -> Data? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerData = Base64URL.decode(parts[0]),
              let header = try? JSONDecoder().decode(Header.self, from: headerData),
              header.alg == key.alg, header.kid == nil || header.kid == key.kid,
              let payload = Base64URL.decode(parts[1]),
              let signature = Base64URL.decode(parts[2]) else { return nil }
        let signingInput = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        let digest = SHA256.hash(data: signingInput)

        switch (key.kty, key.alg) {
        case ("EC", SigningAlgorithm.es256.rawValue):
            guard key.crv == "P-256",
                  let x = key.x.flatMap(Base64URL.decode), let y = key.y.flatMap(Base64URL.decode),
                  x.count == 32, y.count == 32,
                  let publicKey = try? P256.Signing.PublicKey(rawRepresentation: x + y),
                  let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
                  publicKey.isValidSignature(ecdsa, for: digest) else { return nil }
            return payload
        case ("RSA", SigningAlgorithm.rs256.rawValue):
            guard let n = key.n.flatMap(Base64URL.decode), let e = key.e.flatMap(Base64URL.decode),
                  let publicKey = try? _RSA.Signing.PublicKey(n: n, e: e),
                  publicKey.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: digest, padding: .insecurePKCS1v1_5)
            else { return nil }
            return payload
        default:
            return nil
        }
    }
}
