import Engine
import Foundation
import HTTPTypes
import Hummingbird

extension Routes {
    /// `POST /login/<service>` (a Login button of this app's page): checks the session's form token, then sends the
    /// browser to the provider's authorization endpoint (PKCE, state, nonce). The form names the key-file login the
    /// service belongs to, so two logins of one service in one browser never mix.
    func startLogin(_ request: Request, service segment: String) async throws(WebProblem) -> Response {
        guard var session = session(of: request) else { throw .noSession() }
        let form = try await formFields(request)
        guard let token = form["csrf"], RandomText.constantTimeEquals(token, session.csrf) else {
            app.logger.notice("Login refused: the form token is missing or wrong")
            throw .badFormToken()
        }
        let name = segment.removingPercentEncoding ?? segment
        guard let (loginIndex, serviceIndex) = session.locate(login: form["login"] ?? "", service: name) else { throw .noSession() }
        if session.logins[loginIndex].services[serviceIndex].loggedIn { return redirectHome() }
        let services = try readKeyFile(session.logins[loginIndex].key)
        guard let ad = services.first(where: { $0.tokenName.stem == name }) else { throw .unknownKey() }
        let settings = try await loginSettings(ad, service: name)
        if ReturnAddress.route(ofRedirectURI: settings.redirectURI, prefix: app.configuration.prefix) == nil {
            app.logger.notice("The return address (ReturnUrl) lies outside this app's prefix: the answer is taken only at /return/<service>",
                              metadata: ["credmon.token": "\(name)", "credmon.prefix": "\(app.configuration.prefix)"])
        }
        var pending = LoginSession.PendingAuthorization(
            state: RandomText.token(), codeVerifier: RandomText.codeVerifier(), nonce: settings.wantsNonce ? RandomText.token(bytes: 16) : nil,
            redirectURI: settings.redirectURI, started: app.configuration.now().timeIntervalSince1970, issuer: settings.issuer)
        pending.issuerRequired = settings.requiresIssuerInAnswer ? true : nil
        pending.service = ad.provider
        session.logins[loginIndex].services[serviceIndex].pending = pending
        let url = settings.authorizationRequest(state: pending.state, codeChallenge: RandomText.codeChallenge(for: pending.codeVerifier), nonce: pending.nonce)
        var response = Response(status: .seeOther, headers: [.location: url.absoluteString])
        setCookie(session, on: &response)
        app.logger.info("Login started", metadata: ["credmon.user": "\(ad.localUser)", "credmon.token": "\(name)"])
        return response
    }

    /// A key-file service's login settings: the ad, then its provider's fragment, else the quirks of the kind its
    /// token URL or name implies.
    func loginSettings(_ ad: KeyFileService, service name: String) async throws(WebProblem) -> LoginSettings {
        let app = self.app
        return try await LoginSettings.resolve(
            ad, fragment: app.loginProvider(for: ad.provider)?.loginSettings,
            recognise: { tokenURL in
                app.recognisedLoginProvider(service: ad.provider, tokenURL: tokenURL).map { ($0.provider.loginSettings.quirks, $0.byHost) }
            },
            discovery: app.discovery, fallbackRedirectURI: fallbackRedirectURI(name))
    }

    /// `GET /login/<service>`: 405 with a page that says where logins start (a link could be planted by anyone).
    func loginNeedsButton() -> Response {
        let problem = WebProblem.loginNeedsButton()
        var response = Self.page(pages.problem(problem), status: problem.status)
        response.headers[.allow] = "POST"
        return response
    }

    /// The fields of an `application/x-www-form-urlencoded` body (the first of a repeated name wins).
    func formFields(_ request: Request) async throws(WebProblem) -> [String: String] {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: app.configuration.limits.maximumBodyBytes)
        } catch {
            throw .tooLarge("body", status: .contentTooLarge)
        }
        return Self.parseForm(String(buffer: body))
    }

    static func parseForm(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }
}
