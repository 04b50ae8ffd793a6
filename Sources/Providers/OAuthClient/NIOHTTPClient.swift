import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// ``HTTPClient`` on AsyncHTTPClient (SwiftNIO, TLS through BoringSSL with the system's trust store): a connection
/// pool per host, no redirects followed (a redirected token request would carry its secrets elsewhere), no cookies,
/// and a hard deadline per exchange. The daemon's choice: one event loop serves every request, where URLSession hops
/// each one through several dispatch queues (the OAuth benchmark's CPU per refresh).
public final class NIOHTTPClient: HTTPClient {
    private let client: AsyncHTTPClient.HTTPClient
    /// The largest response body accepted (token answers are a few KiB).
    public static let bodyLimit = 1 << 20

    /// - Parameter maxConnectionsPerHost: connections kept to one server.
    public init(maxConnectionsPerHost: Int = 64) {
        var configuration = AsyncHTTPClient.HTTPClient.Configuration(redirectConfiguration: .disallow, decompression: .disabled)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maxConnectionsPerHost)
        configuration.httpVersion = .automatic
        client = AsyncHTTPClient.HTTPClient(eventLoopGroup: AsyncHTTPClient.HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    deinit { try? client.syncShutdown() }

    public func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        let target = request.url.absoluteString.split(separator: "?").first.map(String.init) ?? ""
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let (seconds, attoseconds) = request.timeout.components
        let deadline = NIODeadline.now() + .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(outgoing, deadline: deadline)
            let body = try await response.body.collect(upTo: Self.bodyLimit)
            var headers: [String: String] = [:]
            for (name, value) in response.headers {
                let key = name.lowercased()
                headers[key] = headers[key].map { $0 + ", " + value } ?? value
            }
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
        } catch let error as HTTPClientError {
            if [.deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout].contains(error) {
                throw HTTPTransportError(kind: .timeout, url: target, message: "no answer within \(request.timeout)")
            }
            if [.invalidURL, .emptyHost, .emptyScheme].contains(error) {
                throw HTTPTransportError(kind: .invalidURL, url: target, message: "not a URL this client can reach (\(error))")
            }
            throw HTTPTransportError(kind: .connection, url: target, message: "request failed (\(error))")
        } catch {
            throw HTTPTransportError(kind: .connection, url: target, message: "request failed (\(error))")
        }
    }
}
