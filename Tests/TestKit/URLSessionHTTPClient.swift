import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Test support: ``HTTPClient`` on Foundation's URLSession (libcurl with OpenSSL on Linux): no cookies, no cache, no redirects
/// followed (a redirected token request would carry its secrets elsewhere), and a hard deadline per exchange that
/// holds even when the underlying task never completes.
///
/// swift-corelibs-foundation waits forever on a `401` whose `WWW-Authenticate` names a realm unless a delegate
/// answers the challenge; the delegate declines it and the exchange is reported as that 401 (its body is lost:
/// URLSession cancels the task), which the OAuth client reads as `invalid_client`.
public final class URLSessionHTTPClient: HTTPClient, @unchecked Sendable {
    private let session: URLSession
    private let delegate = SessionDelegate()

    /// - Parameter maxConnectionsPerHost: connections kept to one server.
    public init(maxConnectionsPerHost: Int = 16) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.urlCredentialStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        configuration.httpMaximumConnectionsPerHost = maxConnectionsPerHost
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    public func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        let target = request.url.absoluteString.split(separator: "?").first.map(String.init) ?? ""
        let outcome = OutcomeBox()
        let delegate = self.delegate
        let result: Result<HTTPResponse, HTTPTransportError> = await withCheckedContinuation { continuation in
            outcome.continuation = continuation
            let task = session.dataTask(with: Self.urlRequest(for: request)) { data, response, error in
                outcome.finish(Self.result(data: data, response: response, error: error, target: target,
                                           challenged: delegate.challengeStatus(for: outcome.taskID)))
            }
            outcome.taskID = task.taskIdentifier
            task.resume()
            let seconds = Double(request.timeout.components.seconds) + Double(request.timeout.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                if outcome.finish(.failure(HTTPTransportError(kind: .timeout, url: target, message: "no answer within \(request.timeout)"))) {
                    task.cancel()
                }
            }
        }
        delegate.forget(outcome.taskID)
        return try result.get()
    }

    private static func urlRequest(for request: HTTPRequest) -> URLRequest {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.httpBody = request.body
        let seconds = Double(request.timeout.components.seconds) + Double(request.timeout.components.attoseconds) / 1e18
        urlRequest.timeoutInterval = max(0.05, seconds)
        for header in request.headers { urlRequest.setValue(header.value, forHTTPHeaderField: header.name) }
        return urlRequest
    }

    private static func result(data: Data?, response: URLResponse?, error: (any Error)?, target: String, challenged: Int?) -> Result<HTTPResponse, HTTPTransportError> {
        if let http = response as? HTTPURLResponse, error == nil {
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields { headers[String(describing: name).lowercased()] = String(describing: value) }
            return .success(HTTPResponse(status: http.statusCode, headers: headers, body: data ?? Data()))
        }
        if let challenged {
            return .success(HTTPResponse(status: challenged, headers: [:], body: Data()))
        }
        if let error = error as? URLError, error.code == .timedOut {
            return .failure(HTTPTransportError(kind: .timeout, url: target, message: "no answer in time"))
        }
        let reason = (error as? URLError).map { "\($0.code.rawValue): \($0.localizedDescription)" } ?? error.map { "\($0)" } ?? "no response"
        return .failure(HTTPTransportError(kind: .connection, url: target, message: "request failed (\(reason))"))
    }
}

/// Delivers one exchange's outcome exactly once (the answer or the deadline, whichever comes first).
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false
    var continuation: CheckedContinuation<Result<HTTPResponse, HTTPTransportError>, Never>?
    var taskID = 0

    @discardableResult
    func finish(_ result: Result<HTTPResponse, HTTPTransportError>) -> Bool {
        let continuation = lock.withLock { () -> CheckedContinuation<Result<HTTPResponse, HTTPTransportError>, Never>? in
            guard !done else { return nil }
            done = true
            return self.continuation
        }
        continuation?.resume(returning: result)
        return continuation != nil
    }
}

/// Declines authentication challenges (remembering the 401 that raised them) and never follows redirects.
final class SessionDelegate: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var challenged: [Int: Int] = [:]

    func challengeStatus(for taskID: Int) -> Int? { lock.withLock { challenged[taskID] } }
    func forget(_ taskID: Int) { lock.withLock { _ = challenged.removeValue(forKey: taskID) } }

    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        let status = (challenge.failureResponse as? HTTPURLResponse)?.statusCode ?? 401
        lock.withLock { challenged[task.taskIdentifier] = status }
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }
}
