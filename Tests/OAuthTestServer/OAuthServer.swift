import Foundation
import Synchronization

/// An OAuth 2.0 authorization server for tests, running in-process on `127.0.0.1` (an ephemeral port) over
/// real HTTP/1.1.
///
/// Endpoints: RFC 8414 / OpenID discovery metadata, `/authorize` (an HTML login and consent flow with PKCE),
/// `/token` (`authorization_code`, `refresh_token`, `client_credentials`, RFC 8693 token exchange), `/revoke` (RFC 7009),
/// `/introspect` (RFC 7662), `/userinfo`, `/jwks` (empty: no ID tokens are issued). Refresh token rotation,
/// reuse detection and grace are configurable; failures can be injected per request; every request is
/// logged. All methods are thread-safe.
///
/// Users: any non-empty username signs in with the username reversed as password (`alice` / `ecila`).
/// `/userinfo` reports `name` = the username and `email` = `<username>@example.org`.
///
/// ```swift
/// let server = try OAuthServer(configuration: .init(latency: .milliseconds(20)))
/// defer { server.stop() }
/// let seeded = server.issueGrant(clientID: OAuthServer.Client.default.id, scope: "read", subject: "alice")
/// server.inject(.tooManyRequests(retryAfter: 2), path: "/token")
/// // … point the client under test at server.issuer (discovery) or server.url("/token") …
/// #expect(server.requests(to: "/token").map(\.status) == [429, 200])
/// #expect(!server.isActive(refreshToken: seeded.refreshToken))   // rotated
/// ```
///
/// Faults, latency and every `Configuration` field apply to requests that arrive after they are set.
/// Limits: HTTP/1.x only (no TLS, no HTTP/2), one thread per connection, 64 KiB request heads, 1 MiB bodies.
public final class OAuthServer: Sendable {
    private let http: HTTPServer
    /// The socket ``stopHoldingPort()`` keeps bound.
    private let heldPort = Mutex<Int32?>(nil)
    let settings: Mutex<Configuration>
    let store = Mutex(TokenStore())
    let faults = Mutex(FaultPlan())
    /// Hostile rows by grant id (`*`: every token request).
    let hostile = Mutex<[String: HostileAnswer]>([:])
    let log = Mutex<[LoggedRequest]>([])

    /// Starts listening on `host` (127.0.0.1 unless told; any 127.x.y.z address works on Linux) with an ephemeral port.
    public init(configuration: Configuration = .init(), host: String = "127.0.0.1") throws {
        settings = Mutex(configuration)
        http = try HTTPServer(host: host, port: 0)
        http.start { [weak self] request, context in
            guard let self else { return .close }
            return self.handle(request, context: context)
        }
    }

    deinit {
        http.stop()
        if let fd = heldPort.withLock({ $0 }) { close(fd) }
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: URL { http.baseURL }

    /// The issuer identifier: `baseURL` as a string, without a trailing slash.
    public var issuer: String {
        var text = baseURL.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// The URL of `path` (which starts with `/`) on this server.
    public func url(_ path: String) -> URL { URL(string: issuer + path)! }

    /// The TCP port.
    public var port: Int { http.port }

    /// Closes the listener and every connection and wakes every server thread (also those sleeping for
    /// `latency` or a fault); returns once they ended (at most ~5 s). Idempotent.
    public func stop() { http.stop() }

    /// Stops serving but keeps the port bound without listening, until this server is released: connections are
    /// refused (the server is gone) and no server another test starts meanwhile can be handed the same port.
    public func stopHoldingPort() {
        http.stop()
        let held = try? Socket.listen(host: "127.0.0.1", port: UInt16(port), listening: false).fd
        heldPort.withLock { $0 = held }
    }

    // MARK: - Configuration

    /// The configuration in force.
    public var configuration: Configuration { settings.withLock { $0 } }

    /// Changes the configuration from now on (e.g. the latency, or rotation in the middle of a test).
    public func updateConfiguration(_ change: (inout Configuration) -> Void) {
        settings.withLock { change(&$0) }
    }

    // MARK: - Grants and tokens

    /// Seeds a grant as if `subject` had logged in and let `clientID` have `scope`: returns its refresh
    /// token and a first access token.
    @discardableResult
    public func issueGrant(clientID: String, scope: String, subject: String) -> (refreshToken: String, accessToken: String) {
        let configuration = self.configuration
        let issue = store.withLock {
            $0.createGrant(clientID: clientID, subject: subject, scope: Scope.join(Scope.split(scope)), parameters: [:],
                           configuration: configuration).issue
        }
        return (issue.refreshToken!, issue.accessToken)
    }

    /// Whether `refreshToken` would be accepted by a refresh now (known, grant live, not expired, not retired
    /// unless in grace mode).
    public func isActive(refreshToken: String) -> Bool {
        let configuration = self.configuration
        return store.withLock { $0.isActive(refreshToken: refreshToken, configuration: configuration) }
    }

    /// Whether `accessToken` is valid now (known, not revoked, not expired, grant live).
    public func isActive(accessToken: String) -> Bool { store.withLock { $0.isActive(accessToken: accessToken) } }

    /// The grant a refresh token (current or retired) belongs to.
    public func grant(forRefreshToken token: String) -> Grant? { store.withLock { $0.grant(forRefreshToken: token) } }

    /// The grant an access token belongs to (nil for `client_credentials` tokens).
    public func grant(forAccessToken token: String) -> Grant? { store.withLock { $0.grant(forAccessToken: token) } }

    /// Every grant, oldest first.
    public var grants: [Grant] { store.withLock { store in store.grantOrder.compactMap { store.grants[$0] } } }

    /// What the server knows of an access token it issued (client, subject, scope, audiences, grant), or nil
    /// for a token it never issued.
    public func issuedAccessToken(_ token: String) -> IssuedAccessToken? { store.withLock { $0.issuedAccessToken(token) } }

    // MARK: - Token exchange (RFC 8693)

    /// Makes `token` acceptable as the `subject_token` of a token exchange (as an access token or a JWT, whatever
    /// its form), standing for `subject` with `scope` (space-separated), as if another issuer the server trusts
    /// had issued it. Access tokens this server issued are acceptable without registration while they are live.
    public func registerSubjectToken(_ token: String, subject: String, scope: String) {
        store.withLock { $0.registerSubjectToken(token, subject: subject, scope: scope) }
    }

    /// Every successful token exchange, oldest first.
    public var tokenExchanges: [TokenExchange] { store.withLock { $0.exchanges } }

    /// The token exchange that issued `token`: its access token, or any access or refresh token (rotated ones
    /// too) of the grant it made. nil for tokens of other grants.
    public func tokenExchange(issuing token: String) -> TokenExchange? { store.withLock { $0.exchange(issuing: token) } }

    /// Revokes a grant (reason `.testControl`), as if the user had withdrawn consent.
    public func revokeGrant(_ id: Grant.ID) { store.withLock { $0.revokeGrant(id, reason: .testControl) } }

    /// Moves the server clock forward (token and code expiry) without waiting.
    public func advanceClock(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        store.withLock { $0.clockOffset += TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18 }
    }

    // MARK: - Faults

    /// The next `count` requests (to `path`, e.g. `/token`, if given) get `fault` instead of normal handling.
    /// Faults queue up in order of injection.
    public func inject(_ fault: Fault, count: Int = 1, path: String? = nil) {
        faults.withLock { $0.add(fault, count: count, path: path) }
    }

    /// Fault uses not yet consumed.
    public var pendingFaults: Int { faults.withLock { $0.pending } }

    /// Drops every pending fault.
    public func clearFaults() { faults.withLock { $0.removeAll() } }

    // MARK: - Introspection of the server itself

    /// Every request received, in order of arrival at the handler.
    public var requestLog: [LoggedRequest] { log.withLock { $0 } }

    /// The logged requests to `path`.
    public func requests(to path: String) -> [LoggedRequest] { log.withLock { $0.filter { $0.path == path } } }

    /// Empties the request log.
    public func clearRequestLog() { log.withLock { $0.removeAll() } }

    /// Requests being handled now: read and not yet answered (latency and hanging faults included). A client
    /// that has received every answer sees 0.
    public var inFlight: Int { http.inFlight }

    /// The most requests handled at once since start (or `resetPeakInFlight()`).
    public var peakInFlight: Int { http.peakInFlight }

    /// Resets `peakInFlight` to the current `inFlight`.
    public func resetPeakInFlight() { http.resetPeakInFlight() }

    /// TCP connections accepted since start (fewer than requests when clients keep connections alive).
    public var acceptedConnections: Int { http.acceptedConnections }

    /// TCP connections open now (idle keep-alive ones included).
    public var openConnections: Int { http.openConnections }

    /// Requests rejected as malformed HTTP before reaching the OAuth endpoints (not in the request log).
    public var rejectedRequests: Int { http.rejectedRequests }
}
