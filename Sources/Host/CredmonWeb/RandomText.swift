import Crypto
import Foundation
import Signers

/// Unguessable strings for the login: `state`, `nonce`, PKCE verifiers and challenges.
enum RandomText {
    /// `bytes` random bytes as unpadded base64url.
    static func token(bytes: Int = 32) -> String {
        Base64URL.encode(Data(SessionKeyFile.randomBytes(bytes)))
    }

    /// A PKCE code verifier (RFC 7636 §4.1): 43 characters of base64url.
    static func codeVerifier() -> String { token(bytes: 32) }

    /// The S256 code challenge of a verifier (RFC 7636 §4.2).
    static func codeChallenge(for verifier: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(verifier.utf8))))
    }

    /// Compares two secrets in time independent of where they differ.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
