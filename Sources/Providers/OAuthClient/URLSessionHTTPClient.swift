import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// ``HTTPClient`` on Foundation's URLSession (libcurl with OpenSSL on Linux): no cookies, no cache, no redirects
/// followed for token requests' secrets to leak to, and a hard deadline per exchange.
public final class URLSessionHTTPClient: HTTPClient, @unchecked Sendable {
    private let session: URLSession

    /// - Parameter maxConnectionsPerHost: connections kept to one server (bounded concurrency per provider).
    public init(maxConnectionsPerHost: Int = 16) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        configuration.httpMaximumConnectionsPerHost = maxConnectionsPerHost
        session = URLSession(configuration: configuration)
    }

    deinit { session.invalidateAndCancel() }

    private static func urlRequest(for request: HTTPRequest) -> URLRequest {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        let seconds = Double(request.timeout.components.seconds) + Double(request.timeout.components.attoseconds) / 1e18
        urlRequest.timeoutInterval = max(0.05, seconds)
        for header in request.headers { urlRequest.setValue(header.value, forHTTPHeaderField: header.name) }
        return urlRequest
    }

    public func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        let urlRequest = Self.urlRequest(for: request)
        let session = self.session
        let target = request.url.absoluteString.split(separator: "?").first.map(String.init) ?? ""
        do {
            return try await withThrowingTaskGroup(of: HTTPResponse?.self) { group in
                group.addTask {
                    let (data, response) = try await session.data(for: urlRequest)
                    guard let http = response as? HTTPURLResponse else {
                        throw HTTPTransportError(kind: .connection, url: target, message: "not an HTTP response")
                    }
                    var headers: [String: String] = [:]
                    for (name, value) in http.allHeaderFields {
                        headers[String(describing: name).lowercased()] = String(describing: value)
                    }
                    return HTTPResponse(status: http.statusCode, headers: headers, body: data)
                }
                group.addTask {
                    try await Task.sleep(for: request.timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else {
                    throw HTTPTransportError(kind: .timeout, url: target, message: "no answer within \(request.timeout)")
                }
                return response
            }
        } catch let error as HTTPTransportError {
            throw error
        } catch let error as URLError where error.code == .timedOut {
            throw HTTPTransportError(kind: .timeout, url: target, message: "no answer within \(request.timeout)")
        } catch let error as URLError {
            throw HTTPTransportError(kind: .connection, url: target, message: "request failed (\(error.code.rawValue): \(error.localizedDescription))")
        } catch {
            throw HTTPTransportError(kind: .connection, url: target, message: "request failed (\(error))")
        }
    }
}
