import Crypto
import _CryptoExtras
import FoundationEssentials

extension SigningKey {
    /// Compact JWS: `base64url(header).base64url(payload).base64url(signature)`.
    ///
    /// The header is exactly `{"alg":"<alg>","kid":"<kid>","typ":"JWT"}` (precomputed when the key was created).
    /// ES256 signatures are the 64-byte `r || s`; RS256 is RSASSA-PKCS1-v1_5 with SHA-256.
    /// The token is built in a single allocation.
    public func signCompact(payload: Data) throws(KeyError) -> String {
        let headerCount = encodedHeaderPrefix.count
        let signingInputCount = headerCount + Base64URL.encodedLength(payload.count)
        let totalCount = signingInputCount + 1 + Base64URL.encodedLength(signatureByteCount)
        var failure: KeyError?

        let token = String(unsafeUninitializedCapacity: totalCount) { buffer -> Int in
            let base = buffer.baseAddress!
            encodedHeaderPrefix.withUnsafeBufferPointer { header in
                base.update(from: header.baseAddress!, count: headerCount)
            }
            _ = payload.withUnsafeBytes { bytes in
                Base64URL.encode(bytes, into: base + headerCount)
            }
            let digest = SHA256.hash(data: UnsafeRawBufferPointer(start: base, count: signingInputCount))
            do throws(KeyError) {
                try writeSignature(of: digest, into: base + signingInputCount)
            } catch {
                failure = error
                return 0
            }
            return totalCount
        }
        if let failure { throw failure }
        return token
    }

    /// Signs `digest` and writes `"." + base64url(signature)` at `output`.
    private func writeSignature(of digest: SHA256.Digest, into output: UnsafeMutablePointer<UInt8>) throws(KeyError) {
        let signature: [UInt8]
        switch backing {
        case .p256(let key):
            do {
                if let batched = try batchSigner?.sign(digest) {
                    signature = batched
                } else {
                    signature = Array(try key.signature(for: digest).rawRepresentation)
                }
            } catch {
                throw KeyError(.signingFailed, path: source, message: "ECDSA signing failed; check the system's random number source and retry")
            }
        case .rsa(let key):
            do {
                signature = Array(try key.signature(for: digest, padding: .insecurePKCS1v1_5).rawRepresentation)
            } catch {
                throw KeyError(.signingFailed, path: source, message: "RSA signing failed; check the key and retry")
            }
        }
        guard signature.count == signatureByteCount else {
            throw KeyError(.signingFailed, path: source, message: "the signature has an unexpected length; check the key")
        }
        output.pointee = UInt8(ascii: ".")
        _ = signature.withUnsafeBytes { bytes in
            Base64URL.encode(bytes, into: output + 1)
        }
    }

    /// Whether ES256 signatures use precomputed per-signature values (``P256BatchSigner``; checked at the first
    /// call); false for RS256.
    public var signsInBatches: Bool { batchSigner?.isTrusted ?? false }
}
