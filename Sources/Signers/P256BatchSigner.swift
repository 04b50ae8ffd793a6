import CP256Signing
import Crypto
import FoundationEssentials
import Synchronization

/// ES256 signatures whose per-signature values (k, r, k⁻¹) are computed 32 at a time per thread (`CP256Signing`):
/// one field and one scalar inversion per batch instead of one of each per signature.
///
/// Trusted only once the batch arithmetic passed its known-answer test and a signature it made verified under the
/// key's public key with swift-crypto; until then, or if either failed, the key signs through swift-crypto. The
/// check runs at the first signature, not when the key is loaded: a daemon with nothing to sign never touches the
/// signing code or its tables.
final class P256BatchSigner: @unchecked Sendable {
    private let key: OpaquePointer
    private let publicKey: P256.Signing.PublicKey
    /// 0 not checked yet, 1 trusted, 2 refused.
    private let trust = Atomic<UInt8>(0)

    /// The prepared key, or nil if the scalar could not be prepared (then sign with swift-crypto). `publicKey` is
    /// `privateKey`'s, which the caller has already derived.
    init?(_ privateKey: P256.Signing.PrivateKey, publicKey: P256.Signing.PublicKey) {
        var scalar = [UInt8](privateKey.rawRepresentation)
        defer { scalar.wipe() }
        guard scalar.count == 32, let prepared = scalar.withUnsafeBufferPointer({ credmon_p256_key_create($0.baseAddress) }) else {
            return nil
        }
        key = prepared
        self.publicKey = publicKey
    }

    deinit { credmon_p256_key_destroy(key) }

    /// Whether this key signs in batches (runs the check the first time).
    var isTrusted: Bool {
        switch trust.load(ordering: .acquiring) {
        case 1: return true
        case 2: return false
        default:
            // Two threads may both check; they reach the same answer.
            let trusted = Self.arithmeticPasses() && probeVerifies()
            trust.store(trusted ? 1 : 2, ordering: .releasing)
            return trusted
        }
    }

    /// The 64-byte `r || s` signature of `digest`; nil if batch signing is not trusted for this key.
    func sign(_ digest: SHA256.Digest) throws(SigningFailure) -> [UInt8]? {
        guard isTrusted else { return nil }
        return try signUnchecked(digest)
    }

    private func signUnchecked(_ digest: SHA256.Digest) throws(SigningFailure) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: 64)
        let signed = digest.withUnsafeBytes { digestBytes in
            signature.withUnsafeMutableBufferPointer { output in
                credmon_p256_sign(key, digestBytes.bindMemory(to: UInt8.self).baseAddress, output.baseAddress)
            }
        }
        guard signed == 1 else { throw SigningFailure() }
        return signature
    }

    private static func arithmeticPasses() -> Bool { credmon_p256_self_test() == 1 }

    /// Whether a signature made here verifies with swift-crypto under the key's public key.
    private func probeVerifies() -> Bool {
        let probe = SHA256.hash(data: Array("credmon batch signing check".utf8))
        guard let signature = try? signUnchecked(probe),
              let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: signature)
        else { return false }
        return publicKey.isValidSignature(parsed, for: probe)
    }

    /// The batch arithmetic could not produce a signature (its random source failed).
    struct SigningFailure: Error {}
}
