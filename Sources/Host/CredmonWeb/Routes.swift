import Engine
import Foundation
import Hummingbird
import OAuthClient
import Signers

/// The routes (contract §D.2): `/`, `/key/<hex>`, `/login/<service>` (POST from this app's own page only),
/// `/return/<service>`, the issuer documents and the stylesheet. A provider's answer at a login's own `ReturnUrl` path,
/// whatever it is, goes to ``finish(_:route:named:)`` through ``OAuthReturnMiddleware``.
struct Routes: Sendable {
    let app: CredmonWebApp
    let pages: Pages

    static let cookieName = "credmon_session"

    func add(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/") { request, _ in self.respond { () throws(WebProblem) in try self.index(request) } }
        router.get("/key/:key") { request, context in await self.respondAsync { () async throws(WebProblem) in try await self.openKey(request, key: context.parameters.get("key") ?? "") } }
        router.post("/login/:service") { request, context in await self.respondAsync { () async throws(WebProblem) in try await self.startLogin(request, service: context.parameters.get("service") ?? "") } }
        router.get("/login/:service") { _, _ in self.loginNeedsButton() }
        router.get("/return/:service") { request, context in
            await self.respondAsync { () async throws(WebProblem) in
                let segment = context.parameters.get("service") ?? ""
                return try await self.finish(request, route: ReturnAddress.route(ofPath: request.uri.path, prefix: self.app.configuration.prefix) ?? "",
                                             named: segment.removingPercentEncoding ?? segment)
            }
        }
        // The issuer documents at the prefix, and under it for every local issuer whose URL path lies below the
        // prefix (`https://host/wlcg` → `/wlcg/.well-known/openid-configuration` with prefix `/`).
        let prefix = app.configuration.prefix
        for subpath in [""] + app.issuers.subpaths(below: prefix) {
            let path = prefix + subpath
            router.get(RouterPath(subpath + "/.well-known/openid-configuration")) { _, _ in
                guard let document = self.app.issuers.openIDConfiguration(prefix: path) else {
                    return Self.json(Data(#"{"error":"no local issuer is published here"}"#.utf8), status: .notFound)
                }
                return Self.json(document)
            }
            router.get(RouterPath(subpath + "/.well-known/jwks-uri")) { _, _ in Self.json(self.app.issuers.jwks(prefix: path)) }
            router.get(RouterPath(subpath + "/jwks")) { _, _ in Self.json(self.app.issuers.jwks(prefix: path)) }
        }
        router.get("/static/credmon.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                     body: .init(byteBuffer: ByteBuffer(string: Pages.stylesheet)))
        }
    }

    // MARK: - Handlers

    /// `GET /`: the services of this browser's logins.
    func index(_ request: Request) throws(WebProblem) -> Response {
        let session = session(of: request)
        let cards = (session?.logins ?? []).flatMap(cards)
        return Self.page(pages.index(cards: cards, csrf: session?.csrf ?? ""))
    }

    /// `GET /key/<hex>`: reads the key file condor_credd wrote, adds its login to this browser's session and shows
    /// the HTCondor user it is for; nothing goes to a provider until a Login button is pressed.
    func openKey(_ request: Request, key: String) async throws(WebProblem) -> Response {
        guard CondorKeyFile.isKeyName(key) else { throw .unknownKey() }
        let services = try readKeyFile(key)
        var session = session(of: request) ?? LoginSession.fresh()
        session.open(key: key, user: services[0].localUser, services: services.map(\.tokenName.stem))
        var response = Self.page(pages.keyLogin(user: session.logins[0].user, cards: cards(session.logins[0]), csrf: session.csrf))
        setCookie(session, on: &response)
        return response
    }

    /// The cards of a login; a service whose `.top` is stored says until when it lasts (``CredentialOutlook``).
    func cards(_ login: LoginSession.KeyLogin) -> [Pages.ServiceCard] {
        let configuration = app.configuration
        let warnings = CredentialOutlook.defaultWarnings(configuration.condorKnobs)
        let now = configuration.now()
        return login.services.map { service in
            var card = Pages.ServiceCard(name: service.name, user: login.user, loggedIn: service.loggedIn, displayName: service.displayName,
                                         loginID: login.id)
            if let token = TokenName(stem: service.name, allowSpecialCharacters: configuration.allowsSpecialCharacterNames) {
                card.outlook = CredentialOutlook.of(CredentialID(user: login.user, token: token),
                                                    entry: app.providers.entry(for: token.service),
                                                    credentialDirectory: configuration.credentialDirectory,
                                                    defaultWarnings: warnings, now: now)
            }
            return card
        }
    }

    // MARK: - Helpers

    /// Reads and parses `$CD/<key>`; a missing or expired file is "unknown or expired", a bad one is logged with its line.
    func readKeyFile(_ key: String) throws(WebProblem) -> [KeyFileService] {
        let services: [KeyFileService]?
        do throws(CondorKeyFile.ReadError) {
            let directory: DirectoryHandle
            do {
                directory = try CredentialDirectory(path: app.configuration.credentialDirectory).open()
            } catch {
                throw CondorKeyFile.ReadError.unreadable(error)
            }
            services = try WebKeyFile.read(key, in: directory, now: app.configuration.now(),
                                           allowSpecialCharacterNames: app.configuration.allowsSpecialCharacterNames)
        } catch {
            switch error {
            case .unreadable(let problem):
                app.logger.error("Cannot read the key file", metadata: ["credmon.error": "\(problem)"])
                throw .badKeyFile("it cannot be read")
            case .malformed(let problem):
                app.logger.error("Bad key file", metadata: ["credmon.error": "\(problem)"])
                throw .badKeyFile(problem.line.map { "line \($0): \(problem.problem)" } ?? problem.problem)
            }
        }
        guard let services else { throw .unknownKey() }
        return services
    }

    func removeKeyFile(_ key: String) {
        do {
            try CredentialDirectory(path: app.configuration.credentialDirectory).open().removeFile(key)
        } catch {
            app.logger.warning("Cannot remove the finished key file", metadata: ["credmon.error": "\(error)"])
        }
    }

    func fallbackRedirectURI(_ name: String) -> String {
        (app.configuration.publicOrigin ?? "http://localhost") + app.configuration.path("/return/\(name)")
    }

    func session(of request: Request) -> LoginSession? {
        request.cookies[Self.cookieName].flatMap { app.codec.open($0.value, now: app.configuration.now()) }
    }

    func setCookie(_ session: LoginSession, on response: inout Response) {
        var session = session
        session.expires = app.configuration.now().timeIntervalSince1970 + app.configuration.sessionLifetime
        guard let value = app.codec.seal(session) else { return }
        response.setCookie(Cookie(name: Self.cookieName, value: value, maxAge: Int(app.configuration.sessionLifetime),
                                  path: app.configuration.prefix.isEmpty ? "/" : app.configuration.prefix,
                                  secure: app.configuration.usesHTTPS, httpOnly: true, sameSite: .lax))
    }

    func redirectHome() -> Response {
        Response(status: .seeOther, headers: [.location: app.configuration.path("/")])
    }

    func respond(_ body: () throws(WebProblem) -> Response) -> Response {
        do { return try body() } catch { return Self.page(pages.problem(error), status: error.status) }
    }

    func respondAsync(_ body: () async throws(WebProblem) -> Response) async -> Response {
        do { return try await body() } catch { return Self.page(pages.problem(error), status: error.status) }
    }

    static func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                 body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
