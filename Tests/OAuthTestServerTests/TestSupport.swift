import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing
import OAuthTestServer

/// A test's failure to make sense of an answer.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A `URLSession` client for the server under test: ephemeral, no cookies, redirects not followed.
///
/// It runs data tasks through its own delegate rather than `data(for:)`, because swift-corelibs-foundation
/// (Swift 6.3.1) never completes a task whose answer is a 401 with `WWW-Authenticate: Basic` unless a
/// delegate answers the authentication challenge: this one cancels it and hands on the 401 it had already
/// received. Credmon's own client has to do the same.
final class TestClient: Sendable {
    let server: OAuthServer
    private let session: URLSession
    private let delegate: SessionDelegate
    let client: OAuthServer.Client

    init(_ server: OAuthServer, client: OAuthServer.Client = .default, timeout: TimeInterval = 10, maxConnections: Int = 8) {
        self.server = server
        self.client = client
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = maxConnections
        configuration.httpCookieAcceptPolicy = .never
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        delegate = SessionDelegate()
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    /// Sends `request` and returns the body and the HTTP response.
    func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        try await withCheckedThrowingContinuation { continuation in
            let task = session.dataTask(with: request)
            delegate.register(task.taskIdentifier, continuation)
            task.resume()
        }
    }

    /// GETs `path` on the server.
    func get(_ path: String, headers: [String: String] = [:]) async throws -> (Data, HTTPURLResponse) {
        var request = URLRequest(url: server.url(path))
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        return try await send(request)
    }

    /// How a POST authenticates the client.
    enum Authentication {
        case none
        /// `client_id` and `client_secret` in the body.
        case post
        /// `Authorization: Basic`, id and secret form-urlencoded first (RFC 6749 §2.3.1).
        case basic
        /// `Authorization: Basic` with id and secret *not* form-urlencoded (a common client bug).
        case rawBasic
    }

    /// POSTs `form` to `path`, authenticating with `authentication` as `client`.
    func post(_ path: String, _ form: FormBody, auth authentication: Authentication = .post,
              timeout: TimeInterval? = nil, contentType: String = "application/x-www-form-urlencoded") async throws -> (Data, HTTPURLResponse) {
        var form = form
        var request = URLRequest(url: server.url(path))
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let timeout { request.timeoutInterval = timeout }
        switch authentication {
        case .none:
            break
        case .post:
            form.append("client_id", client.id)
            form.append("client_secret", client.secret)
        case .basic:
            request.setValue(TestClient.basic(FormBody.encode(client.id), FormBody.encode(client.secret)), forHTTPHeaderField: "Authorization")
        case .rawBasic:
            request.setValue(TestClient.basic(client.id, client.secret), forHTTPHeaderField: "Authorization")
        }
        request.httpBody = Data(form.encoded.utf8)
        return try await send(request)
    }

    static func basic(_ id: String, _ secret: String) -> String {
        "Basic " + Data("\(id):\(secret)".utf8).base64EncodedString()
    }

    /// A refresh with `refreshToken`.
    func refresh(_ refreshToken: String, scope: String? = nil, auth: Authentication = .post, timeout: TimeInterval? = nil) async throws -> (Data, HTTPURLResponse) {
        var form: FormBody = ["grant_type": "refresh_token", "refresh_token": refreshToken]
        if let scope { form.append("scope", scope) }
        return try await post("/token", form, auth: auth, timeout: timeout)
    }

    /// A refresh that must succeed: the token response.
    func refreshOK(_ refreshToken: String, scope: String? = nil, auth: Authentication = .post) async throws -> [String: Any] {
        let (data, response) = try await refresh(refreshToken, scope: scope, auth: auth)
        #expect(response.statusCode == 200, "refresh failed: \(String(decoding: data, as: UTF8.self))")
        return try json(data)
    }

}

/// Collects each task's response and body; refuses redirects and authentication challenges.
final class SessionDelegate: NSObject, URLSessionDataDelegate, Sendable {
    private struct Pending {
        let continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>
        var response: HTTPURLResponse?
        var data = Data()
        var challenged = false
    }

    private let pending = Mutex<[Int: Pending]>([:])

    func register(_ id: Int, _ continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>) {
        pending.withLock { $0[id] = Pending(continuation: continuation) }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
        pending.withLock { $0[dataTask.taskIdentifier]?.response = response as? HTTPURLResponse }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        pending.withLock { $0[dataTask.taskIdentifier]?.data.append(data) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        pending.withLock { $0[task.taskIdentifier]?.challenged = true }
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let entry = pending.withLock({ $0.removeValue(forKey: task.taskIdentifier) }) else { return }
        let response = entry.response ?? (task.response as? HTTPURLResponse)
        if let response, error == nil || entry.challenged {
            entry.continuation.resume(returning: (entry.data, response))
        } else {
            entry.continuation.resume(throwing: error ?? TestFailure("no response"))
        }
    }
}

/// The JSON object in `data`.
func json(_ data: Data) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        throw TestFailure("not a JSON object: \(String(decoding: data, as: UTF8.self))")
    }
    return object
}

/// The `error` of an RFC 6749 §5.2 error body.
func oauthError(_ data: Data) -> String? { (try? json(data))?["error"] as? String }

/// A header of `response`, by case-insensitive name.
func header(_ response: HTTPURLResponse, _ name: String) -> String? {
    response.value(forHTTPHeaderField: name)
}

/// Raw TCP exchanges with the server, for what URLSession cannot send (malformed requests, pipelining,
/// chunked bodies). Runs on its own thread so that no cooperative thread blocks.
enum RawHTTP {
    /// Connects to `port`, sends each of `chunks` (pausing `gap` between them), and reads until the server
    /// closes or `timeout` passes. Returns everything read.
    static func exchange(port: Int, _ chunks: [String], gap: Duration = .zero, timeout: Duration = .seconds(5),
                         closeWriteAfterSending: Bool = false) async -> String {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: exchangeBlocking(port: port, chunks, gap: gap, timeout: timeout,
                                                                closeWriteAfterSending: closeWriteAfterSending))
            }
            thread.start()
        }
    }

    /// Sends `bytes`, closes the sending side, and reads the answer until the server closes (at most 2 s).
    static func exchangeBytes(port: Int, _ bytes: [UInt8]) async -> String {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                let fd = connect(port: port)
                guard fd >= 0 else { return continuation.resume(returning: "<connect failed>") }
                defer { close(fd) }
                _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
                shutdown(fd, Int32(SHUT_WR))
                continuation.resume(returning: readAll(fd, timeout: .seconds(2)))
            }
            thread.start()
        }
    }

    /// Opens a connection and returns its descriptor (or -1).
    static func connect(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            close(fd)
            return -1
        }
        return fd
    }

    static func exchangeBlocking(port: Int, _ chunks: [String], gap: Duration, timeout: Duration, closeWriteAfterSending: Bool) -> String {
        let fd = connect(port: port)
        guard fd >= 0 else { return "<connect failed>" }
        defer { close(fd) }
        for (index, chunk) in chunks.enumerated() {
            if index > 0 && gap > .zero { Thread.sleep(forTimeInterval: seconds(gap)) }
            let bytes = Array(chunk.utf8)
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        }
        if closeWriteAfterSending { shutdown(fd, Int32(SHUT_WR)) }
        return readAll(fd, timeout: timeout)
    }

    /// Reads until the peer closes or `timeout` passes.
    static func readAll(_ fd: Int32, timeout: Duration) -> String {
        var received: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < deadline {
            var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = ContinuousClock.now.duration(to: deadline)
            let ready = poll(&pollFD, 1, Int32(max(1, seconds(left) * 1000)))
            if ready <= 0 { break }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65_536, 0) }
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension String {
    /// The status codes of every HTTP response in a raw byte stream, in order (`100` interim ones included).
    var statusCodes: [Int] {
        components(separatedBy: "HTTP/1.1 ").dropFirst().compactMap { Int($0.prefix(3)) }
    }
}
