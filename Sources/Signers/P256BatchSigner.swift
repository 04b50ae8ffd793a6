import CP256Signing
import Crypto
import FoundationEssentials

/// ES256 signatures whose per-signature values (k, r, k⁻¹) are computed 32 at a time per thread (`CP256Signing`):
/// one field and one scalar inversion per batch instead of one of each per signature.
///
/// Made only when the batch arithmetic passes its known-answer test and a signature it makes verifies under the
/// key's public key with swift-crypto; otherwise the key signs through swift-crypto one by one.
final class P256BatchSigner: @unchecked Sendable {
    private let key: OpaquePointer

    /// The prepared key, or nil when batch signing cannot be trusted for it (then sign with swift-crypto).
    init?(_ privateKey: P256.Signing.PrivateKey) {
        guard credmon_p256_self_test() == 1 else { return nil }
        var scalar = [UInt8](privateKey.rawRepresentation)
        defer { scalar.wipe() }
        guard scalar.count == 32, let prepared = scalar.withUnsafeBufferPointer({ credmon_p256_key_create($0.baseAddress) }) else {
            return nil
        }
        key = prepared
        let probe = SHA256.hash(data: Array("credmon batch signing check".utf8))
        guard let signature = try? sign(probe),
              let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
              privateKey.publicKey.isValidSignature(parsed, for: probe)
        else { return nil }
    }

    deinit { credmon_p256_key_destroy(key) }

    /// The 64-byte `r || s` signature of `digest`, or nil if the random source failed.
    func sign(_ digest: SHA256.Digest) throws(SigningFailure) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: 64)
        let signed = digest.withUnsafeBytes { digestBytes in
            signature.withUnsafeMutableBufferPointer { output in
                credmon_p256_sign(key, digestBytes.bindMemory(to: UInt8.self).baseAddress, output.baseAddress)
            }
        }
        guard signed == 1 else { throw SigningFailure() }
        return signature
    }

    /// The batch arithmetic could not produce a signature (its random source failed).
    struct SigningFailure: Error {}
}
