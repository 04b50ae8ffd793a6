/// A JOSE signature algorithm that credmon can sign tokens with.
public enum SigningAlgorithm: String, Sendable, CaseIterable {
    /// ECDSA with the P-256 curve and SHA-256 (signature is the 64-byte `r || s`).
    case es256 = "ES256"
    /// RSASSA-PKCS1-v1_5 with SHA-256, for RSA keys of at least 2048 bits.
    case rs256 = "RS256"
}
