import Engine
import Foundation
import HTTPTypes
import Hummingbird
import OAuthClient
import Signers

extension Routes {
    /// The provider's answer, at `GET /return/<service>` or at the path of the login's `ReturnUrl` (``ReturnAddress``):
    /// checks `state`, then that the answer belongs to that login (in time, at its return address, from its issuer),
    /// exchanges the code (with the PKCE verifier), stores the credential and goes back to `/`. The pending request is
    /// consumed whatever happens; the service comes from it, never from the path.
    /// - Parameters:
    ///   - route: the request's path relative to the prefix (``ReturnAddress/route(ofPath:prefix:)``).
    ///   - named: the `<service>` of `/return/<service>`, nil on another path.
    func finish(_ request: Request, route: String, named: String?) async throws(WebProblem) -> Response {
        let query = request.uri.queryParameters
        guard let state = query.get("state"), var session = session(of: request),
              let (loginIndex, serviceIndex) = session.locate(state: state),
              let pending = session.logins[loginIndex].services[serviceIndex].pending else { throw .stateMismatch() }
        session.logins[loginIndex].services[serviceIndex].pending = nil
        let name = session.logins[loginIndex].services[serviceIndex].name
        do {
            try verify(pending, route: route, named: named, query: query, service: name)
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

    /// Refuses an answer that came too late, at another service's return address, or from another issuer than the
    /// service's (RFC 9207: `iss` is checked when the provider sends it and the service's issuer is known, and required
    /// when the issuer's metadata says it is always sent). The return address is the redirect URI's path, or
    /// `/return/<service>` naming the login's service (`Provider`) or token name.
    private func verify(_ pending: LoginSession.PendingAuthorization, route: String, named: String?, query: Hummingbird.Parameters,
                        service name: String) throws(WebProblem) {
        if pending.isExpired(now: app.configuration.now()) {
            app.logger.notice("Login answer refused: the authorization expired", metadata: ["credmon.token": "\(name)"])
            throw .authorizationExpired(service: name)
        }
        let atRedirectURI = ReturnAddress.route(ofRedirectURI: pending.redirectURI, prefix: app.configuration.prefix) == route
        let namesThisService = named.map { $0 == name || $0 == pending.service } ?? false
        guard atRedirectURI || namesThisService else {
            app.logger.warning("Login answer refused: it arrived at another service's return address", metadata: ["credmon.token": "\(name)"])
            throw .wrongService(service: name)
        }
        if pending.issuerRequired == true, query.get("iss") == nil {
            app.logger.warning("Login answer refused: the issuer promises iss and sent none", metadata: ["credmon.token": "\(name)"])
            throw .issuerMismatch(service: name)
        }
        if let issuer = pending.issuer, let given = query.get("iss"), !Self.sameIssuer(given, issuer) {
            app.logger.warning("Login answer refused: issuer mismatch", metadata: ["credmon.token": "\(name)", "oauth.issuer": "\(issuer)"])
            throw .issuerMismatch(service: name)
        }
    }

    /// Issuer identifiers compare as strings (RFC 9207 §2.4); a trailing slash in a configured issuer is forgiven.
    static func sameIssuer(_ a: String, _ b: String) -> Bool {
        func trimmed(_ text: String) -> String { text.hasSuffix("/") ? String(text.dropLast()) : text }
        return a == b || trimmed(a) == trimmed(b)
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
        let settings = try await loginSettings(ad, service: name)
        guard let provider = app.loginProvider(for: ad.provider)
                ?? app.recognisedLoginProvider(service: ad.provider, tokenURL: settings.tokenURL.absoluteString)?.provider else {
            throw .misconfigured(service: name, "no provider kind of this build logs users in to it")
        }
        let grant = AuthorizationGrant(code: code, redirectURI: pending.redirectURI, codeVerifier: pending.codeVerifier,
                                       tokenURL: settings.tokenURL, clientID: settings.client.id, clientSecret: settings.client.secret,
                                       seedScopes: ad.scopes, seedAudience: ad.audience, userinfoURL: settings.userinfoURL)
        let update: CredentialUpdate
        do {
            let id = CredentialID(user: ad.localUser, token: ad.tokenName)
            update = try await provider.fetch(CredentialRequest(id: id, now: app.configuration.now(), grant: grant))
        } catch let error as ProviderError {
            app.logger.warning("Code exchange failed", metadata: ["credmon.token": "\(name)", "credmon.error": "\(error)"])
            throw Self.problem(of: error, service: name)
        } catch {
            app.logger.warning("Code exchange failed", metadata: ["credmon.token": "\(name)", "credmon.error": "\(error)"])
            throw .providerDown(service: name)
        }
        if let nonce = pending.nonce, let answered = update.login?.idTokenNonce, !RandomText.constantTimeEquals(answered, nonce) {
            throw .stateMismatch()
        }
        do {
            let root = try CredentialDirectory(path: app.configuration.credentialDirectory).open()
            let user = try CredentialFiles.userDirectory(ad.localUser, in: root, create: true)
            try CredentialFiles.store(update, stem: ad.tokenName.stem, in: user, accessTokenDurability: .durable)
        } catch {
            app.logger.error("Cannot store the credential", metadata: ["credmon.user": "\(ad.localUser)", "credmon.token": "\(name)", "credmon.error": "\(error)"])
            throw .storeFailed(service: name)
        }
        let displayName = update.login?.displayName
        app.logger.info("Login completed", metadata: [
            "credmon.user": "\(ad.localUser)", "credmon.token": "\(name)", "credmon.refresh_token": "\(update.login?.hasRefreshToken ?? false)",
        ])
        // Done when every service of the key file has its credential, whichever browser logged it in (condor_credd
        // writes a key file only for services whose .top is missing, so a .top now present is this login's).
        let allDone = services.allSatisfy { other in
            other.tokenName.stem == name || login.services.contains { $0.name == other.tokenName.stem && $0.loggedIn }
                || hasStoredSeed(other)
        }
        return (displayName, allDone)
    }

    /// The page for a failed code exchange: the provider down (network, 5xx) or its refusal, by code.
    static func problem(of error: ProviderError, service name: String) -> WebProblem {
        error.code.isOutage ? .providerDown(service: name) : .providerError(service: name, code: error.code.description)
    }

    /// Whether `$CD/<LocalUser>/<token>.top` exists as a regular file (never following a symlink).
    private func hasStoredSeed(_ ad: KeyFileService) -> Bool {
        guard let root = try? CredentialDirectory(path: app.configuration.credentialDirectory).open(),
              let user = try? root.openChild(ad.localUser),
              let status = try? FileStatus.at(user.descriptor, ad.tokenName.stem + ".top", path: user.childPath(ad.tokenName.stem + ".top"))
        else { return false }
        return status.type == .regular
    }

}
