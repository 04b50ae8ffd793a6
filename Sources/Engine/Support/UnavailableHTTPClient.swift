/// The HTTP client of a context where nothing may be sent (a provider built for `credmon check`): every request
/// fails at once with a connection error that says so.
public struct UnavailableHTTPClient: HTTPClient {
    public init() {}

    public func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        throw HTTPTransportError(kind: .connection, url: request.url.absoluteString.split(separator: "?").first.map(String.init) ?? "",
                                 message: "this command sends no HTTP requests")
    }
}
