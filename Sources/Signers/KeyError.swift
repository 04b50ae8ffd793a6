import FoundationEssentials

/// An error about a key file, a PEM document or a signing operation.
///
/// The ``description`` always names the file (or other source), says what is wrong and what to do about it.
/// It never contains key material. Two errors are equal when their ``code`` is equal.
public struct KeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem occurred; compare against the static values.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case unreadableFile
            case noPrivateKey
            case noPublicKey
            case malformedKey
            case unsupportedKey
            case algorithmMismatch
            case encryptedKey
            case weakKey
            case invalidKeyID
            case fileExists
            case writeFailed
            case signingFailed
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// The file does not exist, cannot be opened or read, is not a regular file, or is too large.
        public static let unreadableFile = Code(.unreadableFile)
        /// The text holds no PEM private key block (empty, garbage, or only a public key or certificate).
        public static let noPrivateKey = Code(.noPrivateKey)
        /// The text holds no PEM public key block.
        public static let noPublicKey = Code(.noPublicKey)
        /// A key block was found but its contents are damaged (bad base64, bad DER, inconsistent key).
        public static let malformedKey = Code(.malformedKey)
        /// The key is of a type or curve credmon cannot sign with (e.g. P-384, Ed25519).
        public static let unsupportedKey = Code(.unsupportedKey)
        /// The key does not fit the configured algorithm (e.g. an RSA key with ES256).
        public static let algorithmMismatch = Code(.algorithmMismatch)
        /// The private key is protected by a passphrase.
        public static let encryptedKey = Code(.encryptedKey)
        /// The RSA key is shorter than 2048 bits.
        public static let weakKey = Code(.weakKey)
        /// The key id is empty.
        public static let invalidKeyID = Code(.invalidKeyID)
        /// A path that must be a regular file exists as something else.
        public static let fileExists = Code(.fileExists)
        /// Creating a directory or writing a key file failed.
        public static let writeFailed = Code(.writeFailed)
        /// The cryptographic library failed to produce a signature.
        public static let signingFailed = Code(.signingFailed)

        /// The code's name, e.g. `weakKey`.
        public var description: String { value.rawValue }
    }

    /// What kind of problem occurred.
    public let code: Code
    /// The file path (or other source name) the problem is about; may be empty.
    public let path: String
    /// What is wrong and what to do, without the path.
    public let message: String

    /// Creates an error. `message` must not contain key material.
    public init(_ code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// `<path>: <message>`, or just the message when there is no path.
    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }

    /// Errors are equal when their codes are equal; path and message are ignored.
    public static func == (lhs: KeyError, rhs: KeyError) -> Bool {
        lhs.code == rhs.code
    }
}

extension KeyError: LocalizedError {
    /// Same as ``description``.
    public var errorDescription: String? { description }
}
