import Foundation
import Glibc
import OAuthTestServer
import Synchronization
import Testing

/// `kind: token-exchange` (HTCondor's Pelican credmon, contract §C.5, §B.7.5) with the real daemon against the
/// loopback authorization server: the storer's subject token exchanged (RFC 8693), then refreshed.
@Suite("Token exchange (Pelican) against a loopback authorization server")
struct TokenExchangeEndToEndTests {
    static let client = OAuthServer.Client.default

    /// A daemon with one `kind: token-exchange` fragment named `osdf` with `endpoint` (a `token_url:` or
    /// `trusted_issuers:` line), its client secret in a 0600 file.
    func makeDaemon(_ label: String, endpoint: String) throws -> DaemonProcess {
        let daemon = try DaemonProcess(label: label, fragments: [:])
        let secretFile = daemon.root.appendingPathComponent("osdf.secret")
        try "\(Self.client.secret)\n".write(to: secretFile, atomically: true, encoding: .utf8)
        chmod(secretFile.path, 0o600)
        try """
            name: osdf
            kind: token-exchange
            client_id: \(Self.client.id)
            client_secret_file: \(secretFile.path)
            \(endpoint)
            timeout: 5
            """.write(to: daemon.providersDirectory.appendingPathComponent("osdf.yaml"), atomically: true, encoding: .utf8)
        return daemon
    }

    /// A subject token the server accepts for `user` (as if a Pelican issuer it trusts had issued it).
    func subjectToken(_ server: OAuthServer, _ user: String) -> String {
        let token = "subject-\(user)-\(UUID().uuidString.prefix(8))"
        server.registerSubjectToken(token, subject: user, scope: "read:/data write:/data")
        return token
    }

    /// The storer's `.top` as condor_credd stores it (JSON, mode 0600, as root).
    func storeSubject(_ daemon: DaemonProcess, _ user: String, _ object: [String: String]) throws {
        try daemon.credd.store(user: user, token: "osdf", content: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) + Data("\n".utf8))
    }

    func exchanges(_ server: OAuthServer) -> [OAuthServer.LoggedRequest] {
        server.requests(to: "/token").filter { $0.formFields["grant_type"] == OAuthServer.TokenExchange.grantType }
    }

    func refreshes(_ server: OAuthServer) -> [OAuthServer.LoggedRequest] {
        server.requests(to: "/token").filter { $0.formFields["grant_type"] == "refresh_token" }
    }

    @Test("exchange: the new .top (refresh token, token_url, credd's scopes) lands before the .use; then a refresh at half-life with that refresh token")
    func exchangeThenRefresh() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 4))
        defer { server.stop() }
        let daemon = try makeDaemon("tx-exchange", endpoint: "token_url: \(server.url("/token").absoluteString)")
        defer { daemon.cleanUp() }
        let subject = subjectToken(server, "alice")
        try storeSubject(daemon, "alice", ["access_token": subject, "scopes": "read:/data"])
        let watcher = OrderWatcher(daemon: daemon, server: server, user: "alice", token: "osdf")
        try daemon.start()

        #expect(eventually(timeout: 10) { daemon.accessToken("alice", "osdf") != nil }, "no .use; log:\n\(daemon.log)")
        let exchange = try #require(exchanges(server).first)
        #expect(exchange.formFields["subject_token"] == subject)
        #expect(exchange.formFields["subject_token_type"] == OAuthServer.TokenExchange.accessTokenType)
        #expect(exchange.formFields["scope"] == "read:/data", "condor_credd's scopes are forwarded")
        #expect(exchange.clientAuthentication == .post && exchange.status == 200)
        let use = try #require(daemon.jsonFile("alice", "osdf.use"))
        #expect(Set(use.keys) == ["access_token", "token_type", "expires_in"], "\(use)")
        #expect(use["token_type"] as? String == "Bearer" && use["expires_in"] as? Int == 4)
        #expect(daemon.credd.mode("alice", "osdf.use") == 0o400)
        let firstAccess = try #require(use["access_token"] as? String)
        let made = try #require(server.tokenExchange(issuing: firstAccess), "the .use's token was not issued by the exchange")
        #expect(made.subjectToken == subject && made.subject == "alice")

        let top = try #require(daemon.jsonFile("alice", "osdf.top"))
        let firstRefresh = try #require(top["refresh_token"] as? String)
        #expect(firstRefresh == made.refreshToken)
        #expect(top["token_url"] as? String == server.url("/token").absoluteString)
        #expect(top["scopes"] as? String == "read:/data", "condor_credd's scopes stay as it wrote them")
        #expect(top["access_token"] == nil, "the subject token is dropped once a refresh token replaces it")
        #expect(daemon.credd.mode("alice", "osdf.top") == 0o400)

        // Half of the 4 s lifetime later: a refresh_token grant with that refresh token, and a new .use.
        #expect(eventually(timeout: 10) {
            refreshes(server).contains { $0.formFields["refresh_token"] == firstRefresh && $0.status == 200 }
                && daemon.accessToken("alice", "osdf").map { $0 != firstAccess } ?? false
        }, "no refresh; log:\n\(daemon.log)")
        let refresh = try #require(refreshes(server).first)
        let gap = refresh.receivedAt.timeIntervalSince(exchange.receivedAt)
        #expect(gap > 1.3 && gap < 4, "refreshed \(gap) s after the exchange; half of 4 s expected")
        #expect(exchanges(server).count == 1, "the subject token is exchanged once")
        let renewed = try #require(daemon.accessToken("alice", "osdf"))
        let grant = try #require(server.grant(forAccessToken: renewed))
        #expect(grant.id == made.grantID, "the renewed token belongs to the exchange's grant")
        let rotated = try #require(daemon.jsonFile("alice", "osdf.top"))
        #expect(rotated["refresh_token"] as? String == grant.currentRefreshToken, "the rotated refresh token is kept")
        #expect(rotated["scopes"] as? String == "read:/data" && rotated["token_url"] as? String == server.url("/token").absoluteString)

        #expect(eventually(timeout: 5) { watcher.accessTokens >= 2 }, "the watcher saw \(watcher.accessTokens) .use versions")
        let observed = watcher.stop()
        #expect(observed.violations.isEmpty, "a .use was visible before its .top: \(observed.violations)")
        #expect(!daemon.log.contains(Self.client.secret) && !daemon.log.contains(subject) && !daemon.log.contains(firstRefresh))
    }

    @Test("a newer .top from the storer (a new subject token) is exchanged at once, though the .use is not due")
    func newerSubjectExchangedAtOnce() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 600))
        defer { server.stop() }
        let daemon = try makeDaemon("tx-newer", endpoint: "token_url: \(server.url("/token").absoluteString)")
        defer { daemon.cleanUp() }
        let first = subjectToken(server, "bob")
        try storeSubject(daemon, "bob", ["access_token": first, "scopes": "read:/data"])
        try daemon.start()
        #expect(eventually(timeout: 10) { daemon.accessToken("bob", "osdf").flatMap { server.tokenExchange(issuing: $0) }?.subjectToken == first },
                "log:\n\(daemon.log)")
        #expect(daemon.jsonFile("bob", "osdf.top")?["refresh_token"] != nil)

        let second = subjectToken(server, "bob")
        try storeSubject(daemon, "bob", ["access_token": second, "scopes": "read:/data"])
        #expect(eventually(timeout: 10) { daemon.accessToken("bob", "osdf").flatMap { server.tokenExchange(issuing: $0) }?.subjectToken == second },
                "the new subject token was not exchanged; log:\n\(daemon.log)")
        let top = try #require(daemon.jsonFile("bob", "osdf.top"))
        #expect(top["refresh_token"] as? String == server.tokenExchanges.last?.refreshToken && top["access_token"] == nil)
        // The daemon's own rewrite of the .top is not taken for a storer's new one: a full pass asks nothing more.
        #expect(daemon.completePass())
        #expect(exchanges(server).map { $0.formFields["subject_token"] } == [first, second])
        #expect(refreshes(server).isEmpty, "nothing is due for 300 s")
    }

    @Test("an exchange answer without a refresh token: the warning once, the subject token left in place and exchanged again at half-life")
    func noRefreshTokenInAnswer() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 4, exchangeIssuesRefreshToken: false))
        defer { server.stop() }
        let daemon = try makeDaemon("tx-norefresh", endpoint: "token_url: \(server.url("/token").absoluteString)")
        defer { daemon.cleanUp() }
        let subject = subjectToken(server, "carol")
        try storeSubject(daemon, "carol", ["access_token": subject, "scopes": "read:/data"])
        let stored = try #require(daemon.credd.read("carol", "osdf.top"))
        try daemon.start()
        #expect(eventually(timeout: 10) { daemon.accessToken("carol", "osdf") != nil }, "log:\n\(daemon.log)")
        let firstAccess = try #require(daemon.accessToken("carol", "osdf"))
        #expect(eventually(timeout: 5) { daemon.log.contains("periodic refresh is disabled") }, "log:\n\(daemon.log)")
        // Due again at half of the 4 s lifetime: the same subject token is exchanged again.
        #expect(eventually(timeout: 10) { daemon.accessToken("carol", "osdf").map { $0 != firstAccess } ?? false }, "log:\n\(daemon.log)")
        let requests = server.requests(to: "/token")
        #expect(requests.count >= 2 && requests.allSatisfy {
            $0.formFields["grant_type"] == OAuthServer.TokenExchange.grantType && $0.formFields["subject_token"] == subject && $0.status == 200
        })
        #expect(daemon.credd.read("carol", "osdf.top") == stored, "the storer's .top is left as it was")
        #expect(daemon.credd.mode("carol", "osdf.top") == 0o600)
        #expect(daemon.logCount("periodic refresh is disabled") == 1, "one warning per credential:\n\(daemon.log)")
        #expect(!daemon.log.contains(subject))
    }

    @Test("a .top naming an untrusted token_url or iss is terminal and nothing reaches that server; a trusted one beside it is exchanged")
    func untrustedEndpoint() throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let other = try OAuthServer()
        defer { other.stop() }
        let daemon = try makeDaemon("tx-untrusted", endpoint: "trusted_issuers: [\"\(server.issuer)\"]")
        defer { daemon.cleanUp() }
        let named = subjectToken(server, "mallory"), claimed = subjectToken(server, "oscar"), trusted = subjectToken(server, "grace")
        try storeSubject(daemon, "mallory", ["access_token": named, "token_url": other.url("/token").absoluteString])
        try storeSubject(daemon, "oscar", ["access_token": claimed, "iss": other.issuer])
        try storeSubject(daemon, "grace", ["access_token": trusted, "token_url": server.url("/token").absoluteString])
        try daemon.start()
        #expect(eventually(timeout: 10) { daemon.accessToken("grace", "osdf") != nil }, "the trusted endpoint was not used; log:\n\(daemon.log)")
        for user in ["mallory", "oscar"] {
            #expect(eventually(timeout: 10, interval: 0.2) { daemon.statusEntry(user, "osdf")?["state"] as? String == "terminal" }, "\(user); log:\n\(daemon.log)")
            let error = daemon.statusEntry(user, "osdf")?["lastError"] as? String ?? ""
            #expect(error.contains("trusted_issuers") && error.contains(other.issuer), "\(user): \(error)")
            #expect(daemon.credd.read(user, "osdf.use") == nil)
        }
        #expect(daemon.completePass())
        #expect(other.requestLog.isEmpty, "the client secret went to an untrusted server: \(other.requestLog.map { "\($0.method) \($0.path)" })")
        #expect(server.requests(to: "/token").map { $0.formFields["subject_token"] } == [trusted])
        #expect(daemon.logCount("needs attention") == 2, "log:\n\(daemon.log)")
        #expect(!daemon.log.contains(Self.client.secret) && !daemon.log.contains(named) && !daemon.log.contains(claimed))
    }
}

/// Reads `<user>/<token>.use`, then `.top`, as fast as it can while the daemon works: whenever the `.use` holds an
/// access token of a grant, the `.top` read after it must already hold the refresh token issued with it (or a later
/// one): the seed is written before the access token.
final class OrderWatcher: Sendable {
    struct Observed: Sendable {
        var violations: [String] = []
        var accessTokens = 0
    }

    private let state = Mutex((running: true, observed: Observed(), seen: Set<String>()))
    private let done = DispatchSemaphore(value: 0)

    init(daemon: DaemonProcess, server: OAuthServer, user: String, token: String) {
        let usePath = daemon.credd.path(user, "\(token).use"), topPath = daemon.credd.path(user, "\(token).top")
        Thread { [self] in
            func object(_ path: String) -> [String: Any]? {
                FileManager.default.contents(atPath: path).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            }
            while state.withLock({ $0.running }) {
                if let access = object(usePath)?["access_token"] as? String {
                    let refresh = object(topPath)?["refresh_token"] as? String
                    var problem: String?
                    if let grant = server.grant(forAccessToken: access), let accessIndex = grant.accessTokens.firstIndex(of: access) {
                        let refreshIndex = refresh.flatMap { grant.refreshTokens.firstIndex(of: $0) }
                        if refreshIndex.map({ $0 < accessIndex }) ?? true {
                            problem = ".use holds access token #\(accessIndex) of its grant, .top refresh token #\(refreshIndex.map(String.init) ?? "none")"
                        }
                    }
                    state.withLock {
                        if $0.seen.insert(access).inserted { $0.observed.accessTokens += 1 }
                        if let problem { $0.observed.violations.append(problem) }
                    }
                }
                usleep(1000)
            }
            done.signal()
        }.start()
    }

    /// How many different access tokens the `.use` was seen holding so far.
    var accessTokens: Int { state.withLock { $0.observed.accessTokens } }

    /// Stops watching; what was seen.
    func stop() -> Observed {
        state.withLock { $0.running = false }
        done.wait()
        return state.withLock { $0.observed }
    }
}
