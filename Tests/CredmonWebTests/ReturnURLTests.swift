import CredmonWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OAuthTestServer
import Testing

/// condor_credd's `ReturnUrl` (`CREDMON_WEB_PREFIX` + `<SERVICE>_RETURN_URL_SUFFIX`) is the OAuth `redirect_uri`,
/// verbatim, as HTCondor's web app sends it; the provider's answer is taken at that URL's path, whatever it is.
@Suite("ReturnUrl verbatim: redirect_uri and the return path")
struct ReturnURLTests {
    static let callback = "https://credmon.example.org/oauth/callback"

    /// A fixture whose provider has `redirectURIs` registered (and nothing else).
    static func fixture(registering redirectURIs: [String], prefix: String = "") throws -> WebFixture {
        let client = OAuthServer.Client(id: WebFixture.client.id, secret: WebFixture.client.secret, redirectURIs: redirectURIs)
        return try WebFixture(prefix: prefix, serverConfiguration: .init(clients: [client]))
    }

    /// Where the provider sent the browser, as the browser asks this app for it (`https://h?x` asks for `/?x`).
    static func browserPath(_ url: URL) -> String {
        let path = pathAndQuery(url)
        return path.hasPrefix("/") ? path : "/" + path
    }

    /// Opens the key page, presses Login, signs in at the provider; returns the login page and where it sends the browser.
    static func loginUntilReturn(_ client: some TestClientProtocol, key: String, service: String = "issuer",
                                 prefix: String = "") async throws -> (login: Page, back: URL) {
        let start = try await client.get("\(prefix)/key/\(key)")
        let login = try await client.pressLogin(service, on: start, cookie: try start.sessionCookie())
        #expect(login.status == .seeOther, "\(login.body)")
        let back = try await ProviderUser().authorize(try #require(login.location))
        return (login, back)
    }

    static func expectStored(_ fixture: WebFixture, _ stem: String = "issuer", sourceLocation: SourceLocation = #_sourceLocation) {
        for suffix in ["top", "use", "meta"] {
            #expect(fixture.mode("alice/\(stem).\(suffix)") == 0o400, "alice/\(stem).\(suffix)", sourceLocation: sourceLocation)
        }
        #expect(fixture.json("alice/\(stem).top")?["refresh_token"] is String, sourceLocation: sourceLocation)
    }

    @Test("a custom ReturnUrl is the redirect_uri of the authorization and the token request; the answer at its path logs in")
    func customPath() async throws {
        let fixture = try Self.fixture(registering: [Self.callback])
        let key = try fixture.writeKeyFile([("issuer", "")], returnURL: Self.callback)
        try await fixture.test { client in
            let (login, back) = try await Self.loginUntilReturn(client, key: key)
            #expect(queryItems(try #require(login.location))["redirect_uri"] == Self.callback)
            #expect(back.path == "/oauth/callback")
            let finish = try await client.get(Self.browserPath(back), cookie: try login.sessionCookie())
            #expect(finish.status == .seeOther && finish.location == "/", "\(finish.body)")
            let home = try await client.get("/", cookie: try finish.sessionCookie())
            #expect(home.body.contains("You have logged in to all service providers"), "\(home.body)")
        }
        let asked = fixture.server.requests(to: "/authorize").compactMap { $0.query["redirect_uri"] ?? $0.formFields["redirect_uri"] }
        #expect(!asked.isEmpty && asked.allSatisfy { $0 == Self.callback }, "the provider received it verbatim: \(asked)")
        let exchanges = fixture.server.requests(to: "/token")
        #expect(exchanges.count == 1 && exchanges[0].status == 200)
        #expect(exchanges.first?.formFields["redirect_uri"] == Self.callback, "the token request repeats it verbatim")
        Self.expectStored(fixture)
        #expect(!FileManager.default.fileExists(atPath: fixture.file(key)))
    }

    @Test("ReturnUrl = the prefix alone (no RETURN_URL_SUFFIX): the answer at / logs in; / without state is the index")
    func prefixAlone() async throws {
        for (prefix, returnURL) in [("", "https://credmon.example.org"), ("/credmon", "https://credmon.example.org/credmon/")] {
            let fixture = try Self.fixture(registering: [returnURL], prefix: prefix)
            let key = try fixture.writeKeyFile([("issuer", "")], returnURL: returnURL)
            try await fixture.test { client in
                let (login, back) = try await Self.loginUntilReturn(client, key: key, prefix: prefix)
                #expect(queryItems(try #require(login.location))["redirect_uri"] == returnURL, "verbatim, trailing slash or not")
                let cookie = try login.sessionCookie()
                let index = try await client.get("\(prefix)/", cookie: cookie)
                #expect(index.status == .ok && index.body.contains("id=\"login-issuer\""), "no state: the usual page\n\(index.body)")
                let finish = try await client.get(Self.browserPath(back), cookie: cookie)
                #expect(finish.status == .seeOther && finish.location == "\(prefix)/", "\(prefix): \(finish.body)")
            }
            #expect(fixture.server.requests(to: "/token").first?.formFields["redirect_uri"] == returnURL)
            Self.expectStored(fixture)
        }
    }

    @Test("an answer at /return/<other service> is refused: nothing written, no code exchanged, the state used up")
    func otherServicePath() async throws {
        let fixture = try Self.fixture(registering: [Self.callback])
        let key = try fixture.writeKeyFile([("issuer", "")], returnURL: Self.callback)
        try await fixture.test { client in
            let (login, back) = try await Self.loginUntilReturn(client, key: key)
            let misrouted = Self.browserPath(back).replacingOccurrences(of: "/oauth/callback?", with: "/return/other?")
            let refused = try await client.get(misrouted, cookie: try login.sessionCookie())
            #expect(refused.status == .badRequest && refused.body.contains("return address of another service"), "\(refused.body)")
            let again = try await client.get(Self.browserPath(back), cookie: try refused.sessionCookie())
            #expect(again.status == .badRequest && again.body.contains("state mismatch"), "single use: \(again.body)")
        }
        #expect(fixture.server.requests(to: "/token").isEmpty)
        for suffix in ["top", "use", "meta"] { #expect(fixture.json("alice/issuer.\(suffix)") == nil) }
        #expect(fixture.logs.text.contains("Login answer refused: it arrived at another service's return address"))
    }

    @Test("the custom path without state is what it was (not found); with a state no login waits for, a state mismatch")
    func customPathWithoutState() async throws {
        let fixture = try Self.fixture(registering: [Self.callback])
        let key = try fixture.writeKeyFile([("issuer", "")], returnURL: Self.callback)
        try await fixture.test { client in
            let (login, back) = try await Self.loginUntilReturn(client, key: key)
            let cookie = try login.sessionCookie()
            #expect(try await client.get("/oauth/callback", cookie: cookie).status == .notFound)
            #expect(try await client.get("/oauth/callback?code=x", cookie: cookie).status == .notFound, "no state: not an answer")
            let forged = try await client.get("/oauth/callback?code=x&state=forged", cookie: cookie)
            #expect(forged.status == .badRequest && forged.body.contains("state mismatch"), "\(forged.body)")
            let anotherPath = Self.browserPath(back).replacingOccurrences(of: "/oauth/callback?", with: "/elsewhere?")
            #expect(try await client.get(anotherPath, cookie: cookie).status == .badRequest, "the right state at a path it was not sent to")
            let finish = try await client.get(Self.browserPath(back), cookie: cookie)
            #expect(finish.status == .seeOther, "the pending login was untouched by the above: \(finish.body)")
        }
        Self.expectStored(fixture)
    }

    @Test("ReturnUrls that cannot be a redirect URI are refused with a page naming the knobs; nothing goes to the provider",
          arguments: ["/return/issuer", "ftp://credmon.example.org/return/issuer", "https://alice:pw@credmon.example.org/return/issuer",
                      "https://credmon.example.org/return/issuer#top", "https:///return/issuer"])
    func refused(returnURL: String) async throws {
        let fixture = try Self.fixture(registering: [returnURL])
        let key = try fixture.writeKeyFile([("issuer", "")], returnURL: returnURL)
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            let login = try await client.pressLogin("issuer", on: start, cookie: try start.sessionCookie())
            #expect(login.status == .serviceUnavailable && login.location == nil, "\(login.body)")
            #expect(login.body.contains("ReturnUrl") && login.body.contains("CREDMON_WEB_PREFIX") && login.body.contains("ISSUER_RETURN_URL_SUFFIX"),
                    "\(login.body)")
        }
        #expect(fixture.server.requests(to: "/authorize").isEmpty && fixture.server.requests(to: "/token").isEmpty)
        #expect(!fixture.logs.text.contains("pw@"), "user info never logged")
    }
}
