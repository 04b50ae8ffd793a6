import CredmonWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OAuthTestServer
import Testing

/// Issue 9, item 6: a login starts only from this app's own page (a POST with the session's token, never a GET,
/// never from another site), and an answer is taken only for the login, service and issuer it belongs to, in time.
@Suite("Login CSRF and mix-up")
struct LoginCSRFTests {
    func expectRefused(_ page: Page, _ status: HTTPResponse.Status, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(page.status == status, "\(page.body)", sourceLocation: sourceLocation)
        #expect(page.body.contains("id=\"problem\"") && page.body.contains(text), "\(page.body)", sourceLocation: sourceLocation)
        #expect(page.location == nil, "no redirect (to the provider or anywhere)", sourceLocation: sourceLocation)
    }

    /// Nothing stored for alice, and no code exchanged.
    func expectNothingStored(_ fixture: WebFixture, sourceLocation: SourceLocation = #_sourceLocation) {
        for suffix in ["top", "use", "meta"] {
            #expect(!FileManager.default.fileExists(atPath: fixture.file("alice/issuer.\(suffix)")), "issuer.\(suffix) written", sourceLocation: sourceLocation)
        }
        #expect(fixture.server.requests(to: "/token").isEmpty, "a code was exchanged", sourceLocation: sourceLocation)
    }

    @Test("the key page names the HTCondor user and the services; nothing goes to the provider before the button")
    func keyPageNamesUser() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", ""), ("issuer", "work")], user: "mallory")
        try await fixture.test { client in
            let page = try await client.get("/key/\(key)", headers: [.secFetchSite: "none"])
            #expect(page.status == .ok && page.location == nil)
            #expect(page.body.contains("Log in for HTCondor user <span id=\"local-user\">mallory</span>"))
            #expect(page.body.contains("log in to issuer, issuer_work so that the jobs of the HTCondor user"))
            #expect(page.body.contains("Log in to issuer for mallory") && page.body.contains("Log in to issuer_work for mallory"))
            #expect(LoginForm(page, service: "issuer") != nil && LoginForm(page, service: "issuer_work") != nil)
            #expect(!page.body.contains(fixture.server.issuer), "the page holds no provider URL")
            #expect(fixture.server.requests(to: "/authorize").isEmpty)
            let login = try await client.pressLogin("issuer", on: page, cookie: try page.sessionCookie())
            #expect(login.status == .seeOther && login.location?.hasPrefix(fixture.server.issuer + "/authorize?") == true)
        }
    }

    @Test("a Login POST without the session's token, or with a wrong one, starts nothing")
    func formToken() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", "")])
        let other = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            let cookie = try start.sessionCookie()
            let form = try #require(LoginForm(start, service: "issuer"))
            // Another browser's page: a valid token of another session.
            let foreign = try #require(LoginForm(try await client.get("/key/\(other)"), service: "issuer"))
            #expect(foreign.csrf != form.csrf, "each session has its own token")
            let attempts: [[(String, String)]] = [
                [("login", form.login)],
                [("csrf", ""), ("login", form.login)],
                [("csrf", String(form.csrf.dropLast())), ("login", form.login)],
                [("csrf", form.csrf + "A"), ("login", form.login)],
                [("csrf", foreign.csrf), ("login", form.login)],
            ]
            for fields in attempts {
                expectRefused(try await client.post(form.action, form: fields, cookie: cookie), .forbidden, "form token is missing or wrong")
            }
            expectRefused(try await client.post(form.action, form: [("csrf", form.csrf), ("login", foreign.login)], cookie: cookie),
                          .badRequest, "no login in progress")
            let accepted = try await client.post(form.action, form: [("csrf", form.csrf), ("login", form.login)], cookie: cookie)
            #expect(accepted.status == .seeOther, "the page's own form works: \(accepted.body)")
        }
        #expect(fixture.server.requests(to: "/authorize").isEmpty)
        #expect(fixture.logs.text.contains("Login refused: the form token is missing or wrong"))
        #expect(fixture.logs.text.components(separatedBy: "Login started").count - 1 == 1, "only the right token started a login")
    }

    @Test("GET /login no longer starts a login: 405, Allow: POST, a page that says where logins start")
    func getLogin() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let cookie = try #require(try await client.get("/key/\(key)").cookie)
            let page = try await client.get("/login/issuer", cookie: cookie)
            expectRefused(page, .methodNotAllowed, "starts only from the Login button")
            #expect(page.headers[.allow] == "POST" && page.setCookie == nil)
        }
        #expect(!fixture.logs.text.contains("Login started"))
    }

    @Test("Sec-Fetch-Site: cross-site is refused on /key and /login, whatever the method; /return stays reachable")
    func crossSite() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let crossSite: HTTPFields = [.secFetchSite: "cross-site"]
            let refusedKey = try await client.get("/key/\(key)", headers: crossSite)
            expectRefused(refusedKey, .forbidden, "sent by another web site")
            #expect(refusedKey.setCookie == nil, "no session was opened")
            let start = try await client.get("/key/\(key)", headers: [.secFetchSite: "same-site"])
            #expect(start.status == .ok)
            let cookie = try start.sessionCookie()
            let form = try #require(LoginForm(start, service: "issuer"))
            let fields = [("csrf", form.csrf), ("login", form.login)]
            expectRefused(try await client.post(form.action, form: fields, cookie: cookie, headers: crossSite), .forbidden, "sent by another web site")
            expectRefused(try await client.post(form.action, form: fields, cookie: cookie, headers: [.secFetchSite: "Cross-Site"]),
                          .forbidden, "sent by another web site")
            expectRefused(try await client.get(form.action, cookie: cookie, headers: crossSite), .forbidden, "sent by another web site")
            #expect(!fixture.logs.text.contains("Login started"))
            #expect(fixture.logs.text.contains("Cross-site request refused"))

            // The same form from this site's page starts the login; the provider's redirect back is cross-site.
            let login = try await client.post(form.action, form: fields, cookie: cookie, headers: [.secFetchSite: "same-origin"])
            #expect(login.status == .seeOther)
            let back = try await ProviderUser().authorize(try #require(login.location))
            let finish = try await client.get(pathAndQuery(back), cookie: try login.sessionCookie(), headers: crossSite)
            #expect(finish.status == .seeOther && finish.location == "/", "\(finish.body)")
            // Pages that change nothing stay reachable from anywhere.
            #expect(try await client.get("/", headers: crossSite).status == .ok)
            #expect(try await client.get("/static/credmon.css", headers: crossSite).status == .ok)
        }
        #expect(fixture.json("alice/issuer.top") != nil)
    }

    @Test("an answer at another service's return address is refused, nothing stored, the state consumed")
    func returnForAnotherService() async throws {
        let client = OAuthServer.Client(id: WebFixture.client.id, secret: WebFixture.client.secret,
                                        redirectURIs: [WebFixture.returnURL, "https://credmon.example.org/return/other"])
        let fixture = try WebFixture(serverConfiguration: .init(clients: [client]))
        let key = try fixture.writeKeyFile([("issuer", "")])
        try fixture.writeKeyFile([("other", "")], name: String(repeating: "0f", count: 32), returnURL: "https://credmon.example.org/return/other")
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            var cookie = try start.sessionCookie()
            cookie = try #require(try await client.get("/key/\(String(repeating: "0f", count: 32))", cookie: cookie).cookie)
            let login = try await client.pressLogin("issuer", on: start, cookie: cookie)
            let back = try await ProviderUser().authorize(try #require(login.location))
            #expect(back.path == "/return/issuer")
            let misrouted = pathAndQuery(back).replacingOccurrences(of: "/return/issuer?", with: "/return/other?")
            let page = try await client.get(misrouted, cookie: try login.sessionCookie())
            expectRefused(page, .badRequest, "return address of another service")
            // The state was consumed: the same answer at the right address is now a state mismatch.
            expectRefused(try await client.get(pathAndQuery(back), cookie: try page.sessionCookie()), .badRequest, "state mismatch")
        }
        expectNothingStored(fixture)
        #expect(!FileManager.default.fileExists(atPath: fixture.file("alice/other.top")))
        #expect(FileManager.default.fileExists(atPath: fixture.file(key)), "the key file stays for another try")
    }

    @Test("RFC 9207: an iss other than the service's issuer is refused, nothing stored, and so is none when the metadata promises iss; the right one passes",
          arguments: ["evil", "right", "absent"])
    func issuerParameter(_ variant: String) async throws {
        let fixture = try WebFixture(fragments: ["issuer.yaml": "name: issuer\nkind: oauth2\nissuer: $SERVER\n"])
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            let login = try await client.pressLogin("issuer", on: start, cookie: try start.sessionCookie())
            let back = try await ProviderUser().authorize(try #require(login.location))
            var components = try #require(URLComponents(url: back, resolvingAgainstBaseURL: false))
            #expect(components.queryItems?.first { $0.name == "iss" }?.value == fixture.server.issuer, "the test server sends iss")
            switch variant {
            case "evil": components.queryItems = components.queryItems?.map { $0.name == "iss" ? URLQueryItem(name: "iss", value: "https://evil.example.org") : $0 }
            case "absent": components.queryItems = components.queryItems?.filter { $0.name != "iss" }
            default: break
            }
            let finish = try await client.get(pathAndQuery(try #require(components.url)), cookie: try login.sessionCookie())
            if variant == "right" {
                #expect(finish.status == .seeOther && finish.location == "/", "\(finish.body)")
            } else {
                expectRefused(finish, .badRequest, "issuer mismatch")
            }
        }
        if variant == "evil" {
            expectNothingStored(fixture)
            #expect(fixture.logs.text.contains("issuer mismatch"))
        } else if variant == "absent" {
            expectNothingStored(fixture)
            #expect(fixture.logs.text.contains("the issuer promises iss and sent none"))
        } else {
            #expect(fixture.json("alice/issuer.top")?["refresh_token"] is String)
        }
    }

    @Test("a pending authorization expires after 10 minutes (injected clock): refused, nothing stored; 9:59 still passes",
          arguments: [601.0, 599.0])
    func pendingExpiry(after seconds: TimeInterval) async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            let login = try await client.pressLogin("issuer", on: start, cookie: try start.sessionCookie())
            let back = try await ProviderUser().authorize(try #require(login.location))
            fixture.clock.advance(seconds)
            let finish = try await client.get(pathAndQuery(back), cookie: try login.sessionCookie())
            if seconds > 600 {
                expectRefused(finish, .badRequest, "more than 10 minutes")
            } else {
                #expect(finish.status == .seeOther, "\(finish.body)")
            }
        }
        if seconds > 600 {
            expectNothingStored(fixture)
        } else {
            #expect(fixture.json("alice/issuer.top") != nil)
        }
    }
}
