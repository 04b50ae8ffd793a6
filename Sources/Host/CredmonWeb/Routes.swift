import Engine
import Foundation
import Hummingbird
import OAuthClient
import Signers

/// The routes (contract §D.2): `/`, `/key/<hex>`, `/login/<service>`, `/return/<service>`, the issuer documents and
/// the stylesheet.
struct Routes: Sendable {
    let app: CredmonWebApp
    let pages: Pages

    static let cookieName = "credmon_session"

    func add(to router: some RouterMethods<BasicRequestContext>) {
        router.get("/") { request, _ in self.respond { () throws(WebProblem) in try self.index(request) } }
        router.get("/key/:key") { request, context in await self.respondAsync { () async throws(WebProblem) in try await self.openKey(request, key: context.parameters.get("key") ?? "") } }
        router.get("/login/:service") { request, context in await self.respondAsync { () async throws(WebProblem) in try await self.login(request, service: context.parameters.get("service") ?? "") } }
        router.get("/return/:service") { request, _ in await self.respondAsync { () async throws(WebProblem) in try await self.finish(request) } }
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
        let cards = (session?.logins ?? []).flatMap { login in
            login.services.map { Pages.ServiceCard(name: $0.name, user: login.user, loggedIn: $0.loggedIn, displayName: $0.displayName) }
        }
        return Self.page(pages.index(cards: cards))
    }

    /// `GET /key/<hex>`: reads the key file condor_credd wrote and starts (or resumes) its login in this browser.
    func openKey(_ request: Request, key: String) async throws(WebProblem) -> Response {
        guard CondorKeyFile.isKeyName(key) else { throw .unknownKey() }
        let services = try readKeyFile(key)
        var session = session(of: request) ?? LoginSession(expires: 0, logins: [])
        session.open(key: key, user: services[0].localUser, services: services.map(\.tokenName.stem))
        let cards = session.logins[0].services.map {
            Pages.ServiceCard(name: $0.name, user: session.logins[0].user, loggedIn: $0.loggedIn, displayName: $0.displayName)
        }
        var response = Self.page(pages.index(cards: cards))
        setCookie(session, on: &response)
        return response
    }

    /// `GET /login/<service>`: sends the browser to the provider's authorization endpoint (PKCE, state, nonce).
    func login(_ request: Request, service name: String) async throws(WebProblem) -> Response {
        guard var session = session(of: request), let (loginIndex, serviceIndex) = session.locate(service: name) else { throw .noSession() }
        if session.logins[loginIndex].services[serviceIndex].loggedIn { return redirectHome() }
        let services = try readKeyFile(session.logins[loginIndex].key)
        guard let ad = services.first(where: { $0.tokenName.stem == name }) else { throw .unknownKey() }
        let settings = try await LoginSettings.resolve(ad, fragment: app.fragment(for: ad.provider), discovery: app.discovery,
                                                      fallbackRedirectURI: fallbackRedirectURI(name))
        let pending = LoginSession.PendingAuthorization(
            state: RandomText.token(), codeVerifier: RandomText.codeVerifier(), nonce: settings.wantsNonce ? RandomText.token(bytes: 16) : nil,
            redirectURI: settings.redirectURI, started: app.configuration.now().timeIntervalSince1970)
        session.logins[loginIndex].services[serviceIndex].pending = pending
        let url = settings.authorizationRequest(state: pending.state, codeChallenge: RandomText.codeChallenge(for: pending.codeVerifier), nonce: pending.nonce)
        var response = Response.redirect(to: url.absoluteString, type: .found)
        setCookie(session, on: &response)
        app.logger.info("Login started", metadata: ["credmon.user": "\(ad.localUser)", "credmon.token": "\(name)"])
        return response
    }

    /// `GET /return/<service>`: checks `state`, exchanges the code (with the PKCE verifier), stores the credential
    /// and goes back to `/`. The pending request is consumed whatever happens.
    func finish(_ request: Request) async throws(WebProblem) -> Response {
        let query = request.uri.queryParameters
        guard let state = query.get("state"), var session = session(of: request),
              let (loginIndex, serviceIndex) = session.locate(state: state),
              let pending = session.logins[loginIndex].services[serviceIndex].pending else { throw .stateMismatch() }
        session.logins[loginIndex].services[serviceIndex].pending = nil
        let name = session.logins[loginIndex].services[serviceIndex].name
        do {
            let (displayName, allDone) = try await complete(query: query, pending: pending, key: session.logins[loginIndex].key, service: name,
                                                            session: session.logins[loginIndex])
            session.logins[loginIndex].services[serviceIndex].loggedIn = true
            session.logins[loginIndex].services[serviceIndex].displayName = displayName
            if allDone { removeKeyFile(session.logins[loginIndex].key) }
            var response = redirectHome()
            setCookie(session, on: &response)
            return response
        } catch {
            var response = Self.page(pages.problem(error), status: error.status)
            setCookie(session, on: &response)
            return response
        }
    }

    private func complete(query: Hummingbird.Parameters, pending: LoginSession.PendingAuthorization, key: String, service name: String,
                          session login: LoginSession.KeyLogin) async throws(WebProblem) -> (String?, Bool) {
        if let error = query.get("error") {
            let code = String(error.prefix(64).filter { $0.isLetter || $0.isNumber || $0 == "_" })
            app.logger.notice("Provider refused the login", metadata: ["credmon.token": "\(name)", "oauth.error": "\(code)"])
            throw code == "access_denied" ? .denied(service: name) : .providerError(service: name, code: code)
        }
        guard let code = query.get("code"), !code.isEmpty else { throw .providerError(service: name, code: "no_code") }
        let services = try readKeyFile(key)
        guard let ad = services.first(where: { $0.tokenName.stem == name }) else { throw .unknownKey() }
        let settings = try await LoginSettings.resolve(ad, fragment: app.fragment(for: ad.provider), discovery: app.discovery,
                                                      fallbackRedirectURI: fallbackRedirectURI(name))
        let token: TokenResponse
        do {
            token = try await OAuth2Client(http: app.http).exchangeCode(code, redirectURI: pending.redirectURI, codeVerifier: pending.codeVerifier,
                                                                       client: settings.client, tokenURL: settings.tokenURL)
        } catch {
            app.logger.warning("Code exchange failed", metadata: ["credmon.token": "\(name)", "credmon.error": "\(error)"])
            switch error.kind {
            case .transport: throw .providerDown(service: name)
            case .httpStatus(let status) where status >= 500: throw .providerDown(service: name)
            case .httpStatus(let status): throw .providerError(service: name, code: "http_\(status)")
            case .protocolError(let code): throw .providerError(service: name, code: code)
            case .malformedResponse: throw .providerError(service: name, code: "malformed_response")
            }
        }
        if let nonce = pending.nonce, let idToken = token.object["id_token"]?.stringValue,
           !RandomText.constantTimeEquals(IDTokenPeek.nonce(idToken) ?? "", nonce) {
            throw .stateMismatch()
        }
        let displayName = await UserInfo.displayName(token: token, userinfoURL: settings.userinfoURL, http: app.http)
        do {
            try CredentialWriter.store(ad, token: token, client: settings.client, tokenURL: settings.tokenURL,
                                       credentialDirectory: try CredentialDirectory(path: app.configuration.credentialDirectory).open(),
                                       now: app.configuration.now())
        } catch {
            app.logger.error("Cannot store the credential", metadata: ["credmon.user": "\(ad.localUser)", "credmon.token": "\(name)", "credmon.error": "\(error)"])
            throw .storeFailed(service: name)
        }
        app.logger.info("Login completed", metadata: [
            "credmon.user": "\(ad.localUser)", "credmon.token": "\(name)", "credmon.refresh_token": "\(token.refreshToken != nil)",
        ])
        // Done when every service of the key file has its credential, whichever browser logged it in (condor_credd
        // writes a key file only for services whose .top is missing, so a .top now present is this login's).
        let allDone = services.allSatisfy { other in
            other.tokenName.stem == name || login.services.contains { $0.name == other.tokenName.stem && $0.loggedIn }
                || hasStoredSeed(other)
        }
        return (displayName, allDone)
    }

    /// Whether `$CD/<LocalUser>/<token>.top` exists as a regular file (never following a symlink).
    private func hasStoredSeed(_ ad: KeyFileService) -> Bool {
        guard let root = try? CredentialDirectory(path: app.configuration.credentialDirectory).open(),
              let user = try? root.openChild(ad.localUser),
              let status = try? FileStatus.at(user.descriptor, ad.tokenName.stem + ".top", path: user.childPath(ad.tokenName.stem + ".top"))
        else { return false }
        return status.type == .regular
    }

    // MARK: - Helpers

    /// Reads and parses `$CD/<key>`; a missing file is "unknown or expired", a bad one is logged with its line.
    func readKeyFile(_ key: String) throws(WebProblem) -> [KeyFileService] {
        let path = app.configuration.credentialDirectory + "/" + key
        let bytes: [UInt8]?
        do {
            let directory = try CredentialDirectory(path: app.configuration.credentialDirectory).open()
            // The daemon removes key files older than 12 hours (by ctime); treat them as gone already.
            if let status = try FileStatus.at(directory.descriptor, key, path: path),
               app.configuration.now().timeIntervalSince1970 - status.changed.epochSeconds > CondorKeyFile.lifetime {
                throw WebProblem.unknownKey()
            }
            bytes = try directory.readFile(key, limit: CondorKeyFile.sizeLimit)
        } catch let problem as WebProblem {
            throw problem
        } catch {
            app.logger.error("Cannot read the key file", metadata: ["credmon.error": "\(error)"])
            throw .badKeyFile("it cannot be read")
        }
        guard let bytes else { throw .unknownKey() }
        do {
            return try CondorKeyFile.parse(String(decoding: bytes, as: UTF8.self), path: path)
        } catch {
            app.logger.error("Bad key file", metadata: ["credmon.error": "\(error)"])
            throw .badKeyFile(error.line.map { "line \($0): \(error.problem)" } ?? error.problem)
        }
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

/// Reads the `nonce` claim of an ID token (its signature is the provider's business; the token came straight from
/// the token endpoint over TLS).
enum IDTokenPeek {
    static func nonce(_ token: String) -> String? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]),
              let claims = JSONValue.parseObject(payload) else { return nil }
        return claims["nonce"]?.stringValue
    }
}
