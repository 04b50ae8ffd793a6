import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import OAuthTestServer

/// Drives `/authorize` the way a browser would, with plain HTTP: GET the login page, POST its form with
/// the credentials, POST the consent form.
struct BrowserFlow {
    let client: TestClient
    let verifier = OAuthServer.PKCE.makeVerifier()
    var redirectURI = OAuthServer.Client.defaultRedirectURI
    var state = "st+ate/=?&x"

    var authorizeParameters: FormBody {
        ["response_type": "code", "client_id": client.client.id, "redirect_uri": redirectURI,
         "scope": "openid offline_access", "state": state,
         "code_challenge": OAuthServer.PKCE.challenge(for: verifier), "code_challenge_method": "S256",
         "access_type": "offline", "prompt": "consent", "token_access_type": "offline",
         "resource": "https://storage.example/", "nonce": "n-0S6_WzA2Mj"]
    }

    /// GET /authorize: the login page.
    func loginPage(_ parameters: FormBody? = nil) async throws -> (String, HTTPURLResponse) {
        let query = (parameters ?? authorizeParameters).encoded
        let (data, response) = try await client.get("/authorize?" + query)
        return (String(decoding: data, as: UTF8.self), response)
    }

    /// Signs in on `loginPage`: the consent page.
    func signIn(_ loginPage: String, username: String = "alice", password: String = "ecila") async throws -> (String, HTTPURLResponse) {
        var form = hiddenFields(loginPage)
        form.append("username", username)
        form.append("password", password)
        let (data, response) = try await client.post("/authorize", form, auth: .none)
        return (String(decoding: data, as: UTF8.self), response)
    }

    /// Answers the consent page: the redirect's query.
    func decide(_ consentPage: String, _ decision: String) async throws -> (FormBody, String) {
        var form = hiddenFields(consentPage)
        form.append("decision", decision)
        let (_, response) = try await client.post("/authorize", form, auth: .none)
        #expect(response.statusCode == 302)
        let location = try #require(header(response, "Location"))
        let parts = location.split(separator: "?", maxSplits: 1)
        return (FormBody(parsing: parts.count == 2 ? String(parts[1]) : ""), String(parts[0]))
    }

    /// The whole flow, allowed: the authorization code.
    func authorize() async throws -> String {
        let (login, _) = try await loginPage()
        let (consent, _) = try await signIn(login)
        let (query, _) = try await decide(consent, "allow")
        return try #require(query["code"])
    }

    /// The code exchange.
    func exchange(_ code: String, verifier: String? = nil, redirectURI: String? = nil,
                  auth: TestClient.Authentication = .basic) async throws -> (Data, HTTPURLResponse) {
        var form: FormBody = ["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI ?? self.redirectURI]
        form.append("code_verifier", verifier ?? self.verifier)
        return try await client.post("/token", form, auth: auth)
    }
}

/// The hidden inputs of the (only) form in `html`.
func hiddenFields(_ html: String) -> FormBody {
    var form = FormBody()
    let pattern = #"<input type="hidden" name="([^"]*)" value="([^"]*)">"#
    let regex = try! NSRegularExpression(pattern: pattern)
    let range = NSRange(html.startIndex..., in: html)
    for match in regex.matches(in: html, range: range) {
        let name = String(html[Range(match.range(at: 1), in: html)!])
        let value = String(html[Range(match.range(at: 2), in: html)!])
        form.append(unescapeHTML(name), unescapeHTML(value))
    }
    return form
}

func unescapeHTML(_ text: String) -> String {
    text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
        .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
        .replacingOccurrences(of: "&amp;", with: "&")
}

@Suite("The authorization code grant with PKCE, driven through the HTML pages")
struct AuthorizationCodeTests {
    @Test("Login, consent, redirect with code and state, exchange: tokens, and the extra parameters recorded")
    func happyPath() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let flow = BrowserFlow(client: TestClient(server))

        let (login, loginResponse) = try await flow.loginPage()
        #expect(loginResponse.statusCode == 200)
        #expect(header(loginResponse, "Content-Type")?.hasPrefix("text/html") == true)
        for id in ["username", "password", "sign-in"] { #expect(login.contains(#"id="\#(id)""#)) }
        #expect(login.contains(#"method="post" action="/authorize""#))
        #expect(hiddenFields(login)["state"] == flow.state)

        let (consent, consentResponse) = try await flow.signIn(login)
        #expect(consentResponse.statusCode == 200)
        #expect(consent.contains(#"id="allow""#) && consent.contains(#"id="deny""#))

        let (query, target) = try await flow.decide(consent, "allow")
        #expect(target == flow.redirectURI)
        #expect(query["state"] == flow.state)
        #expect(query["iss"] == server.issuer)
        let code = try #require(query["code"])

        let (data, response) = try await flow.exchange(code)
        #expect(response.statusCode == 200)
        #expect(header(response, "Cache-Control") == "no-store")
        let body = try json(data)
        let refreshToken = try #require(body["refresh_token"] as? String)
        let accessToken = try #require(body["access_token"] as? String)
        #expect(body["scope"] as? String == "openid offline_access")
        #expect(server.isActive(refreshToken: refreshToken))

        let grant = try #require(server.grant(forRefreshToken: refreshToken))
        #expect(grant.subject == "alice")
        #expect(grant.authorizationParameters["access_type"] == "offline")
        #expect(grant.authorizationParameters["prompt"] == "consent")
        #expect(grant.authorizationParameters["token_access_type"] == "offline")
        #expect(grant.authorizationParameters["resource"] == "https://storage.example/")
        #expect(grant.authorizationParameters["nonce"] == "n-0S6_WzA2Mj")
        #expect(grant.authorizationParameters["password"] == nil)
        #expect(server.requests(to: "/authorize").first?.query["access_type"] == "offline")

        let userinfo = try json(try await flow.client.get("/userinfo", headers: ["Authorization": "Bearer \(accessToken)"]).0)
        #expect(userinfo["sub"] as? String == "alice")
        // The refresh token from the flow refreshes.
        _ = try await flow.client.refreshOK(refreshToken)
    }

    @Test("A wrong or missing code_verifier is invalid_grant (and does not use the code up)")
    func wrongVerifier() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let flow = BrowserFlow(client: TestClient(server))
        let code = try await flow.authorize()

        let (wrong, wrongResponse) = try await flow.exchange(code, verifier: OAuthServer.PKCE.makeVerifier())
        #expect(wrongResponse.statusCode == 400)
        #expect(oauthError(wrong) == "invalid_grant")

        let form: FormBody = ["grant_type": "authorization_code", "code": code, "redirect_uri": flow.redirectURI]
        let (missing, _) = try await flow.client.post("/token", form, auth: .basic)
        #expect(oauthError(missing) == "invalid_grant")

        let (_, right) = try await flow.exchange(code)
        #expect(right.statusCode == 200)
    }

    @Test("A code is single-use: the second exchange is invalid_grant and revokes the first one's tokens")
    func codeReuse() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let flow = BrowserFlow(client: TestClient(server))
        let code = try await flow.authorize()
        let first = try json(try await flow.exchange(code).0)
        let refreshToken = try #require(first["refresh_token"] as? String)
        let accessToken = try #require(first["access_token"] as? String)

        let (data, response) = try await flow.exchange(code)
        #expect(response.statusCode == 400)
        #expect(oauthError(data) == "invalid_grant")
        #expect(!server.isActive(refreshToken: refreshToken))
        #expect(!server.isActive(accessToken: accessToken))
        #expect(server.grant(forRefreshToken: refreshToken)?.revocationReason == .authorizationCodeReuse)
    }

    @Test("The token request's redirect_uri must equal the authorization request's")
    func redirectMismatch() async throws {
        let other = "http://127.0.0.1/other"
        let client = OAuthServer.Client(id: "two-uris", secret: "s", redirectURIs: [OAuthServer.Client.defaultRedirectURI, other])
        let server = try OAuthServer(configuration: .init(clients: [client]))
        defer { server.stop() }
        let flow = BrowserFlow(client: TestClient(server, client: client))
        let code = try await flow.authorize()
        let (data, response) = try await flow.exchange(code, redirectURI: other)
        #expect(response.statusCode == 400)
        #expect(oauthError(data) == "invalid_grant")
        var form: FormBody = ["grant_type": "authorization_code", "code": code]
        form.append("code_verifier", flow.verifier)
        let (missing, _) = try await flow.client.post("/token", form)
        #expect(oauthError(missing) == "invalid_grant")
        #expect(try await flow.exchange(code).1.statusCode == 200)
    }

    @Test("Codes expire after 60 seconds")
    func codeExpiry() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let flow = BrowserFlow(client: TestClient(server))
        let code = try await flow.authorize()
        server.advanceClock(by: .seconds(61))
        let (data, _) = try await flow.exchange(code)
        #expect(oauthError(data) == "invalid_grant")
    }

    @Test("An unregistered redirect_uri or unknown client gets an error page, never a redirect")
    func untrustedRedirect() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        var flow = BrowserFlow(client: TestClient(server))
        flow.redirectURI = "http://127.0.0.1/evil"
        let (page, response) = try await flow.loginPage()
        #expect(response.statusCode == 400)
        #expect(header(response, "Location") == nil)
        #expect(page.contains(#"id="error""#))

        var unknownClient = BrowserFlow(client: TestClient(server)).authorizeParameters
        unknownClient.fields.removeAll { $0.name == "client_id" }
        unknownClient.append("client_id", "nobody")
        let (_, unknown) = try await flow.loginPage(unknownClient)
        #expect(unknown.statusCode == 400)
        #expect(header(unknown, "Location") == nil)
    }

    @Test("Errors a client can be told about are redirected with state", arguments: [
        ("code_challenge", nil as String?, "invalid_request"),
        ("code_challenge_method", "plain", "invalid_request"),
        ("response_type", "token", "unsupported_response_type"),
    ])
    func redirectedErrors(name: String, value: String?, expected: String) async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let flow = BrowserFlow(client: TestClient(server))
        var parameters = flow.authorizeParameters
        parameters.fields.removeAll { $0.name == name }
        if let value { parameters.append(name, value) }
        let (_, response) = try await flow.loginPage(parameters)
        #expect(response.statusCode == 302)
        let location = try #require(header(response, "Location"))
        #expect(location.hasPrefix(flow.redirectURI + "?"))
        let query = FormBody(parsing: String(location.split(separator: "?", maxSplits: 1)[1]))
        #expect(query["error"] == expected)
        #expect(query["state"] == flow.state)
    }

    @Test("A wrong password shows the login form again (401); Deny redirects with access_denied")
    func wrongPasswordAndDeny() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let flow = BrowserFlow(client: TestClient(server))
        let (login, _) = try await flow.loginPage()
        let (again, wrong) = try await flow.signIn(login, password: "alice")
        #expect(wrong.statusCode == 401)
        #expect(again.contains(#"id="error""#) && again.contains(#"id="username""#))

        let (consent, _) = try await flow.signIn(again)
        let (query, _) = try await flow.decide(consent, "deny")
        #expect(query["error"] == "access_denied")
        #expect(query["state"] == flow.state)
        #expect(query["code"] == nil)
        // The consent ticket was used up.
        var replay = hiddenFields(consent)
        replay.append("decision", "allow")
        let (_, replayed) = try await flow.client.post("/authorize", replay, auth: .none)
        #expect(replayed.statusCode == 400)
    }

    @Test("prompt=none is login_required (no sessions)")
    func promptNone() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let flow = BrowserFlow(client: TestClient(server))
        var parameters = flow.authorizeParameters
        parameters.fields.removeAll { $0.name == "prompt" }
        parameters.append("prompt", "none")
        let (_, response) = try await flow.loginPage(parameters)
        #expect(response.statusCode == 302)
        #expect(header(response, "Location")?.contains("error=login_required") == true)
    }
}
