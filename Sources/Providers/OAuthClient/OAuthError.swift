import Engine
import FoundationEssentials

/// A failed OAuth exchange: what the server (or the network) said, classified for the engine.
public struct OAuthError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// An RFC 6749 §5.2 error answer (`invalid_grant`, …).
        case protocolError(code: String)
        /// An HTTP status without an OAuth error body.
        case httpStatus(Int)
        /// No answer: connection failure or timeout.
        case transport
        /// A 200 answer that is not a usable token response.
        case malformedResponse
    }

    public var kind: Kind
    /// The endpoint (without query), e.g. `https://api.box.com/oauth2/token`.
    public var endpoint: String
    /// What happened, never a secret.
    public var message: String
    /// A server's `Retry-After`, in seconds.
    public var retryAfter: TimeInterval?
    /// A well-formed refresh token from an answer that was otherwise unusable: the server may have rotated, so it
    /// must be kept.
    public var salvagedRefreshToken: String?

    public init(kind: Kind, endpoint: String, message: String, retryAfter: TimeInterval? = nil, salvagedRefreshToken: String? = nil) {
        self.kind = kind
        self.endpoint = endpoint
        self.message = message
        self.retryAfter = retryAfter
        self.salvagedRefreshToken = salvagedRefreshToken
    }

    public var description: String { "\(endpoint): \(message)" }

    /// Codes that retrying cannot fix: the grant or the client is no longer accepted.
    public static let terminalCodes: Set<String> = [
        "invalid_grant", "invalid_client", "unauthorized_client", "invalid_request", "invalid_scope",
        "unsupported_grant_type", "unsupported_token_type", "access_denied",
        "invalid_target",  // RFC 8693 §2.2.2: the audience or resource is refused
    ]

    /// The engine's view: terminal errors wait for a new login (a changed `.top`), the rest back off and retry.
    public var providerError: ProviderError {
        switch kind {
        case .protocolError(let code):
            return ProviderError(Self.terminalCodes.contains(code) ? .terminal : .transient, code: .server(code), message: description,
                                 retryAfter: retryAfter)
        case .httpStatus(let status):
            return .transient(.httpStatus(status), description, retryAfter: retryAfter)
        case .transport:
            return .transient(.network, description)
        case .malformedResponse:
            return .transient(.malformedResponse, description)
        }
    }
}
