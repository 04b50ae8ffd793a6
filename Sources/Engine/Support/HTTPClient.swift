import FoundationEssentials

/// One HTTP request, as the OAuth client sends it.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// The whole exchange must finish within this time.
    public var timeout: Duration

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data? = nil, timeout: Duration = .seconds(30)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// One HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names are lower-cased.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Why an HTTP exchange produced no response.
public struct HTTPTransportError: Error, Sendable, CustomStringConvertible {
    /// `connect`: no connection could be made (refused, unreachable, or no answer to the connect in time); nothing
    /// was sent. `timeout`: no complete answer in time. `connection`: anything else on the wire.
    public enum Kind: Sendable { case timeout, connection, invalidURL, connect }
    public var kind: Kind
    public var url: String
    public var message: String
    public var description: String { "\(url): \(message)" }

    public init(kind: Kind, url: String, message: String) {
        self.kind = kind
        self.url = url
        self.message = message
    }
}

/// The seam every provider talks HTTP through: request in, response out, with a deadline. Engine only declares it;
/// the OAuth client module implements it on AsyncHTTPClient.
public protocol HTTPClient: Sendable {
    func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse
}

/// Connection settings an HTTP client can be derived with: the TLS trust and the address a host name is reached at.
/// Vault's connections use them (HTCondor's `AUTH_SSL_CLIENT_CAFILE` / `AUTH_SSL_CLIENT_CADIR`, IPv4 first).
public struct HTTPConnectionOptions: Sendable, Hashable {
    /// A PEM file of trusted CA certificates used instead of the system's; nil: the system's trust store.
    public var caFile: String?
    /// A directory of PEM CA certificates trusted in addition (`/etc/grid-security/certificates`); nil: none.
    public var caDirectory: String?
    /// Connect to this address for the named host (TLS still verifies the host name): `[host: address]`.
    public var addressOverride: [String: String]
    /// How long a connection attempt may take.
    public var connectTimeout: Duration

    public init(caFile: String? = nil, caDirectory: String? = nil, addressOverride: [String: String] = [:],
                connectTimeout: Duration = .seconds(10)) {
        self.caFile = caFile
        self.caDirectory = caDirectory
        self.addressOverride = addressOverride
        self.connectTimeout = connectTimeout
    }
}

/// An HTTP client that can hand out clients with other connection settings (its own TLS trust, a fixed address).
/// The derived clients live as long as their parent and close with it; equal options give the same client.
public protocol HTTPClientDeriving: HTTPClient {
    /// A client with these connection settings; it throws when the CA file or directory cannot be used.
    func derived(_ options: HTTPConnectionOptions) throws(HTTPTransportError) -> any HTTPClient
}
