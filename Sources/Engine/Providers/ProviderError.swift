import FoundationEssentials

/// A provider failure, classified for the engine.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Terminal: retrying cannot help until the credential changes (e.g. `invalid_grant`).
    /// Transient: retry with backoff (network errors, 5xx, 429).
    /// Dormant: not a failure; the credential asks not to be renewed (`use_refresh_token: false`) and is left as it
    /// is until its seed changes.
    /// Discard: the seed's own credential is dead at its source (a Vault token that expired or was revoked): the
    /// engine removes the `.top` and `.use`, as HTCondor's Vault credmon does, so that the user's next submission runs
    /// the storer again.
    public enum Disposition: Sendable, Equatable { case terminal, transient, dormant, discard }

    public var disposition: Disposition
    /// What failed, from a closed set (``Code``); its text (`invalid_grant`, …) is what status and metrics show.
    public var code: Code
    /// What happened and what to do; never a secret.
    public var message: String
    /// A server's `Retry-After`, if it sent one.
    public var retryAfter: TimeInterval?
    /// A new seed that must be written although the operation failed: the answer was unusable but carried a rotated
    /// refresh token, which may now be the only live one. The engine writes it durably and nothing else.
    public var rotatedSeed: [UInt8]?

    public init(_ disposition: Disposition, code: Code, message: String, retryAfter: TimeInterval? = nil) {
        self.disposition = disposition
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public static func terminal(_ code: Code, _ message: String) -> ProviderError {
        ProviderError(.terminal, code: code, message: message)
    }

    /// The credential is not to be renewed; left alone, quietly, until its seed changes.
    public static func dormant(_ code: Code, _ message: String) -> ProviderError {
        ProviderError(.dormant, code: code, message: message)
    }

    /// The seed is dead at its source: its `.top` and `.use` are removed.
    public static func discard(_ code: Code, _ message: String) -> ProviderError {
        ProviderError(.discard, code: code, message: message)
    }

    public static func transient(_ code: Code, _ message: String, retryAfter: TimeInterval? = nil) -> ProviderError {
        ProviderError(.transient, code: code, message: message, retryAfter: retryAfter)
    }

    public var description: String { "\(code): \(message)" }
}
