import Engine
import CondorConfig
import CredmonTestKit
import CredmonWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import OAuthClient
import OAuthTestServer
import Synchronization
import Testing

/// A credmon-web app on a temporary credential directory, with a real loopback authorization server behind it.
final class WebFixture: Sendable {
    let directory: TemporaryDirectory
    let server: OAuthServer
    let app: CredmonWebApp
    let logs: LogCapture
    let clock: TestClock
    let credentialDirectory: String

    static let returnURL = "https://credmon.example.org/return/issuer"
    static let client = OAuthServer.Client(id: "credmon-web-test", secret: "s3cret+/=value",
                                           redirectURIs: [WebFixture.returnURL, "https://credmon.example.org/credmon/return/issuer"])

    /// - Parameters:
    ///   - knobs: HTCondor's configuration as condor_config_val would report it (`$KEYS` is replaced too); nil = no
    ///     HTCondor in sight.
    ///   - beforeStart: runs after the directories exist and before the app starts (to create key pairs, …).
    init(fragments: [String: String] = [:], prefix: String = "", publicOrigin: String? = nil,
         knobs: [String: String]? = nil, beforeStart: (TemporaryDirectory) throws -> Void = { _ in },
         serverConfiguration: OAuthServer.Configuration = .init(clients: [WebFixture.client]), limits: RequestLimits = RequestLimits()) throws {
        directory = try TemporaryDirectory("credmon-web")
        credentialDirectory = try directory.makeDirectory("cred", mode: 0o2770)
        try directory.makeDirectory("providers.d")
        try directory.makeDirectory("keys")
        server = try OAuthServer(configuration: serverConfiguration)
        for (name, text) in fragments {
            try directory.write("providers.d/\(name)", text.replacingOccurrences(of: "$SERVER", with: server.issuer)
                .replacingOccurrences(of: "$KEYS", with: directory.file("keys")))
        }
        try beforeStart(directory)
        let keys = directory.file("keys")
        let condorKnobs = knobs.map { values in
            CondorKnobs(values: values.mapValues { $0.replacingOccurrences(of: "$KEYS", with: keys) }, origin: "test condor_config")
        }
        logs = LogCapture()
        clock = TestClock()
        let clock = self.clock
        let configuration = WebConfiguration(
            credentialDirectory: credentialDirectory, providersDirectory: directory.file("providers.d"), keyDirectory: directory.file("keys"),
            prefix: prefix, publicOrigin: publicOrigin, hostName: "credmon.example.org", condorKnobs: condorKnobs, now: { clock.now },
            limits: limits)
        let logs = self.logs
        app = try CredmonWebApp(configuration: configuration, http: URLSessionHTTPClient(),
                                logger: Logger(label: "credmon-web-test", factory: { _ in logs.handler() }))
    }

    deinit { server.stop() }

    /// Writes a key file as condor_credd does (one old-style ad per service, blank line between) and returns its name.
    @discardableResult
    func writeKeyFile(_ services: [(provider: String, handle: String)], user: String = "alice", scopes: String = "read:/data, write:/data",
                      audience: String = "https://storage.example.org", tokenURL: String? = nil, name: String? = nil,
                      returnURL: String = WebFixture.returnURL) throws -> String {
        let key = name ?? (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let text = services.map { service in
            """
            Provider = "\(service.provider)"
            Handle = "\(service.handle)"
            LocalUser = "\(user)"
            Scopes = "\(scopes)"
            Audience = "\(audience)"
            ClientId = "\(Self.client.id)"
            ClientSecret = "\(Self.client.secret)"
            ReturnUrl = "\(returnURL)"
            AuthorizationUrl = "\(server.issuer)/authorize"
            TokenUrl = "\(tokenURL ?? server.issuer + "/token")"
            """
        }.joined(separator: "\n\n") + "\n"
        try directory.write("cred/\(key)", text)
        chmod(directory.file("cred/\(key)"), 0o640)
        return key
    }

    func file(_ relative: String) -> String { credentialDirectory + "/" + relative }
    func json(_ relative: String) -> [String: Any]? {
        FileManager.default.contents(atPath: file(relative)).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }
    func mode(_ relative: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: file(relative))[.posixPermissions] as? NSNumber)?.intValue
    }

    /// Runs `body` with Hummingbird's in-process test client.
    @discardableResult
    func test<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await Application(router: app.makeRouter()).test(.router, body)
    }

    /// Runs `body` against the application as `credmon-web` serves it (its HTTP server settings), on a loopback port.
    @discardableResult
    func testLive<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await app.makeApplication(host: "127.0.0.1", port: 0).test(.live, body)
    }
}

/// A settable clock for session expiry.
final class TestClock: Sendable {
    private let value = Mutex(Date())
    var now: Date { value.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { value.withLock { $0 += seconds } }
}

/// Collects every log line (message and metadata) so tests can check that no secret is logged.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])
    var text: String { lines.withLock { $0.joined(separator: "\n") } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    func handler() -> some LogHandler { CaptureHandler(capture: self) }

    struct CaptureHandler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}

/// A browser's view of a response: status, headers, body, and the session cookie it sets.
struct Page {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: String

    var location: String? { headers[.location] }
    var setCookie: String? { headers[.setCookie] }
    /// `credmon_session=<value>` from Set-Cookie.
    var cookie: String? { setCookie?.split(separator: ";").first.map(String.init) }

    /// ``cookie``, which the test requires.
    func sessionCookie(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(cookie, "the answer sets no session cookie", sourceLocation: sourceLocation)
    }
}

/// The Login form of one service on a page (`<form action=…><input name=csrf><input name=login><button id=login-…>`).
struct LoginForm {
    var action: String
    var csrf: String
    var login: String

    init?(_ page: Page, service: String) {
        let button = "login-" + service
        for match in page.body.matches(of: /<form class="login" method="post" action="([^"]*)"><input type="hidden" name="csrf" value="([^"]*)"><input type="hidden" name="login" value="([^"]*)"><button[^>]* id="([^"]*)"/)
        where String(match.4) == button {
            (action, csrf, login) = (String(match.1), String(match.2), String(match.3))
            return
        }
        return nil
    }
}

extension HTTPField.Name {
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}

extension TestClientProtocol {
    /// A GET as a browser sends it (with the cookie, if any).
    func get(_ uri: String, cookie: String? = nil, headers extra: HTTPFields = [:]) async throws -> Page {
        var headers = extra
        if let cookie { headers[.cookie] = cookie }
        return try await execute(uri: uri, method: .get, headers: headers) { response in
            Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }

    /// A form POST (`application/x-www-form-urlencoded`) with the cookie, if any.
    func post(_ uri: String, form: [(String, String)], cookie: String? = nil, headers extra: HTTPFields = [:]) async throws -> Page {
        var headers = extra
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let cookie { headers[.cookie] = cookie }
        let body = ByteBuffer(bytes: FormEncoding.encode(form))
        return try await execute(uri: uri, method: .post, headers: headers, body: body) { response in
            Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }

    /// Presses the Login button of `service` on `page`, as the browser submits that form from this app's page.
    func pressLogin(_ service: String, on page: Page, cookie: String) async throws -> Page {
        let form = try #require(LoginForm(page, service: service), "no Login button for \(service) on the page:\n\(page.body)")
        return try await post(form.action, form: [("csrf", form.csrf), ("login", form.login)], cookie: cookie,
                              headers: [.secFetchSite: "same-origin"])
    }
}

/// Drives the test authorization server's login and consent forms as a user would.
struct ProviderUser {
    let http = URLSessionHTTPClient()
    var username = "alice"

    /// Signs in at the authorization URL and answers the consent page; returns where the server redirects.
    func authorize(_ authorizationURL: String, allow: Bool = true) async throws -> URL {
        // The query is form-encoded (`+` is a space), as the browser hands it to the provider.
        let url = try #require(URL(string: authorizationURL.replacingOccurrences(of: "+", with: "%20")))
        let components = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false))
        var fields = (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }
        fields += [("step", "login"), ("username", username), ("password", String(username.reversed()))]
        let endpoint = try #require(URL(string: "\(components.scheme!)://\(components.host!):\(components.port!)/authorize"))
        let consent = try await post(endpoint, fields)
        #expect(consent.status == 200, "login form refused: \(String(decoding: consent.body, as: UTF8.self))")
        let html = String(decoding: consent.body, as: UTF8.self)
        let ticket = try #require(html.firstMatch(of: /name="ticket" value="([^"]+)"/)?.1)
        let answer = try await post(endpoint, [("step", "consent"), ("ticket", String(ticket)), ("decision", allow ? "allow" : "deny")])
        #expect(answer.status == 302)
        return try #require(answer.headers["location"].flatMap(URL.init(string:)))
    }

    private func post(_ url: URL, _ fields: [(String, String)]) async throws -> Engine.HTTPResponse {
        try await http.send(Engine.HTTPRequest(method: "POST", url: url, headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                                    body: FormEncoding.encode(fields)))
    }
}

/// The path and query of a URL (what the browser asks this app for after the proxy).
func pathAndQuery(_ url: URL, droppingPrefix prefix: String = "") -> String {
    let components = URLComponents(url: url, resolvingAgainstBaseURL: false)!
    return components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
}

/// The query parameters of a URL.
func queryItems(_ text: String) -> [String: String] {
    (URLComponents(string: text.replacingOccurrences(of: "+", with: "%20"))?.queryItems ?? []).reduce(into: [:]) { $0[$1.name] = $1.value ?? "" }
}
