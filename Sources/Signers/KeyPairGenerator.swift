import Crypto
import FoundationEssentials
import SwiftASN1

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates the ES256 key pair on first start.
public enum KeyPairGenerator {
    /// What ``ensureKeyPair(privateKeyPath:publicKeyPath:)`` did.
    public enum Outcome: Sendable, Equatable {
        /// A new key pair was written.
        case created
        /// The private key was already there and was left alone.
        case alreadyExists
    }

    /// Makes sure a private key exists at `privateKeyPath` and its public key at `publicKeyPath`.
    ///
    /// If `privateKeyPath` does not exist: creates it exclusively (O_CREAT|O_EXCL, mode 0600), writes a new P-256 key
    /// as SEC1 PEM (`-----BEGIN EC PRIVATE KEY-----`), fsyncs, then writes the public key as SPKI PEM to
    /// `publicKeyPath` atomically (temporary file beside it, fsync, rename) with mode 0644. If anything fails, the new
    /// private key file is removed. If the private key already exists it is not touched and `.alreadyExists` is
    /// returned; if then the public key file is missing, it is written from the private key (EC P-256 or RSA).
    /// Missing parent directories are created with mode 0755.
    public static func ensureKeyPair(privateKeyPath: String, publicKeyPath: String) throws(KeyError) -> Outcome {
        guard privateKeyPath != publicKeyPath else {
            throw KeyError(.writeFailed, path: privateKeyPath, message: "the private and public key paths are the same; configure a different file for the public key")
        }
        switch KeyFileIO.kind(of: privateKeyPath) {
        case .regularFile:
            try publishMissingPublicKey(privateKeyPath: privateKeyPath, publicKeyPath: publicKeyPath)
            return .alreadyExists
        case .other:
            throw KeyError(.fileExists, path: privateKeyPath, message: "the private key path exists but is not a regular file; remove it or configure another path")
        case .missing:
            break
        }

        try KeyFileIO.createParentDirectories(of: privateKeyPath)
        let key = P256.Signing.PrivateKey()
        var pem = try SEC1Encoding.pemBytes(for: key, path: privateKeyPath)
        defer { pem.wipe() }
        guard try KeyFileIO.writeExclusively(privateKeyPath, bytes: pem, mode: 0o600) else {
            // Another process created it between the check and the open.
            try publishMissingPublicKey(privateKeyPath: privateKeyPath, publicKeyPath: publicKeyPath)
            return .alreadyExists
        }
        do throws(KeyError) {
            let publicPEM = PEMDocument.publicKeyText(spki: key.publicKey.derRepresentation)
            try KeyFileIO.createParentDirectories(of: publicKeyPath)
            try KeyFileIO.writeAtomically(publicKeyPath, bytes: Array(publicPEM.utf8), mode: 0o644)
        } catch {
            unlink(privateKeyPath)
            throw error
        }
        return .created
    }

    /// Writes the public key of the existing private key if the public key file is missing.
    private static func publishMissingPublicKey(privateKeyPath: String, publicKeyPath: String) throws(KeyError) {
        guard KeyFileIO.kind(of: publicKeyPath) == .missing else { return }
        let key = try SigningKey.load(privateKeyFile: privateKeyPath, keyID: "unused")
        try KeyFileIO.createParentDirectories(of: publicKeyPath)
        try KeyFileIO.writeAtomically(publicKeyPath, bytes: Array(key.publicKeyPEM.utf8), mode: 0o644)
    }
}
