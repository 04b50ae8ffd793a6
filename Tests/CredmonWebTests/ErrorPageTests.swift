import CredmonWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OAuthTestServer
import Testing

@Suite("Error pages: clear, never a 500, nothing stored")
struct ErrorPageTests {
    /// Starts a login for `issuer` and returns the authorization URL and the cookie.
    func startLogin(_ fixture: WebFixture, _ client: any TestClientProtocol, key: String) async throws -> (location: String, cookie: String) {
        let start = try await client.get("/key/\(key)")
        let login = try await client.pressLogin("issuer", on: start, cookie: try start.sessionCookie())
        return (try #require(login.location), try login.sessionCookie())
    }

    func expectProblem(_ page: Page, _ status: HTTPResponse.Status, _ text: String) {
        #expect(page.status == status, "\(page.body)")
        #expect(page.body.contains("id=\"problem\"") && page.body.contains(text), "\(page.body)")
        #expect(page.headers[.contentType]?.hasPrefix("text/html") == true && page.headers[.cacheControl] == "no-store")
    }

    @Test("unknown, malformed and expired key URLs")
    func unknownKey() async throws {
        let fixture = try WebFixture()
        try await fixture.test { client in
            expectProblem(try await client.get("/key/\(String(repeating: "ab", count: 32))"), .notFound, "unknown or has expired")
            expectProblem(try await client.get("/key/not-a-key"), .notFound, "unknown or has expired")
            expectProblem(try await client.get("/key/\(String(repeating: "AB", count: 32))"), .notFound, "unknown or has expired")
        }
    }

    @Test("a key file condor_credd did not write names its line in the log, not on the page")
    func badKeyFile() async throws {
        let fixture = try WebFixture()
        let key = String(repeating: "cd", count: 32)
        try fixture.directory.write("cred/\(key)", "Provider = \"issuer\"\nLocalUser = alice\n")
        try await fixture.test { client in
            expectProblem(try await client.get("/key/\(key)"), .badRequest, "line 2")
        }
        #expect(fixture.logs.text.contains("\(key):2"))
    }

    @Test("denied consent: a clear page, no files, the key file kept")
    func denied() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let (location, cookie) = try await startLogin(fixture, client, key: key)
            let back = try await ProviderUser().authorize(location, allow: false)
            let page = try await client.get(pathAndQuery(back), cookie: cookie)
            expectProblem(page, .forbidden, "You declined")
            // The pending request was consumed: replaying the answer is a state mismatch.
            expectProblem(try await client.get(pathAndQuery(back), cookie: try page.sessionCookie()), .badRequest, "state mismatch")
        }
        #expect(fixture.json("alice/issuer.top") == nil && FileManager.default.fileExists(atPath: fixture.file(key)))
    }

    @Test("state mismatch: a forged or foreign answer is ignored")
    func stateMismatch() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let (location, cookie) = try await startLogin(fixture, client, key: key)
            let back = try await ProviderUser().authorize(location)
            let code = try #require(queryItems(back.absoluteString)["code"])
            expectProblem(try await client.get("/return/issuer?code=\(code)&state=forged", cookie: cookie), .badRequest, "state mismatch")
            expectProblem(try await client.get(pathAndQuery(back)), .badRequest, "state mismatch")  // another browser (no cookie)
            expectProblem(try await client.get("/return/issuer?code=\(code)", cookie: cookie), .badRequest, "state mismatch")
        }
        #expect(fixture.server.requests(to: "/token").isEmpty, "no code was exchanged")
    }

    @Test("OpenID Connect: the ID token must carry this login's nonce; a forged one is refused and nothing is stored",
          arguments: [false, true])
    func nonceMismatch(forged: Bool) async throws {
        let fixture = try WebFixture()
        if forged { fixture.server.updateConfiguration { $0.idTokenNonceOverride = "forged-nonce" } }
        let key = try fixture.writeKeyFile([("issuer", "")], scopes: "openid, email")
        try await fixture.test { client in
            let (location, cookie) = try await startLogin(fixture, client, key: key)
            #expect((queryItems(location)["nonce"]?.count ?? 0) >= 20)
            let back = try await ProviderUser().authorize(location)
            let finish = try await client.get(pathAndQuery(back), cookie: cookie)
            if forged {
                expectProblem(finish, .badRequest, "state mismatch")
            } else {
                #expect(finish.status == .seeOther && finish.location == "/", "\(finish.body)")
            }
        }
        #expect(fixture.server.requests(to: "/token").count == 1, "the code was exchanged: the ID token came from the answer")
        #expect((fixture.json("alice/issuer.top") == nil) == forged)
        #expect(FileManager.default.fileExists(atPath: fixture.file(key)) == forged)
    }

    @Test("no login in progress: a Login form without a session")
    func noSession() async throws {
        let fixture = try WebFixture()
        try await fixture.test { client in
            let form = [("csrf", "x"), ("login", "y")]
            expectProblem(try await client.post("/login/issuer", form: form), .badRequest, "no login in progress")
            expectProblem(try await client.post("/login/issuer", form: form, cookie: "credmon_session=garbage"), .badRequest, "no login in progress")
        }
    }

    @Test("the provider refuses the code: its error code, nothing stored")
    func providerError() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let (location, cookie) = try await startLogin(fixture, client, key: key)
            let back = try await ProviderUser().authorize(location)
            fixture.server.inject(.status(400, body: #"{"error":"invalid_grant","error_description":"<script>x</script>"}"#), path: "/token")
            let page = try await client.get(pathAndQuery(back), cookie: cookie)
            expectProblem(page, .badGateway, "invalid_grant")
            #expect(!page.body.contains("<script>"))
        }
        #expect(fixture.json("alice/issuer.top") == nil)
    }

    @Test("the provider is down: a 503 page")
    func providerDown() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", "")], tokenURL: "http://127.0.0.1:9/token")
        try await fixture.test { client in
            let (location, cookie) = try await startLogin(fixture, client, key: key)
            let back = try await ProviderUser().authorize(location)
            expectProblem(try await client.get(pathAndQuery(back), cookie: cookie), .serviceUnavailable, "did not answer")
        }
    }

    @Test("an error answer from the provider (other than access_denied)")
    func providerErrorRedirect() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let (location, cookie) = try await startLogin(fixture, client, key: key)
            let state = try #require(queryItems(location)["state"])
            expectProblem(try await client.get("/return/issuer?error=server_error&state=\(state)", cookie: cookie), .badGateway, "server_error")
        }
    }

    @Test("a service without a client or endpoints is a configuration page, not a 500")
    func misconfigured() async throws {
        let fixture = try WebFixture()
        let key = String(repeating: "ef", count: 32)
        try fixture.directory.write("cred/\(key)", "Provider = \"mystery\"\nLocalUser = \"alice\"\nScopes = \"\"\n")
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            expectProblem(try await client.pressLogin("mystery", on: start, cookie: try start.sessionCookie()), .serviceUnavailable, "no authorization URL")
        }
    }

    @Test("unknown routes: the not-found page; security headers everywhere")
    func notFoundAndHeaders() async throws {
        let fixture = try WebFixture()
        try await fixture.test { client in
            let page = try await client.get("/nope")
            expectProblem(page, .notFound, "There is no page")
            let home = try await client.get("/")
            #expect(home.status == .ok && home.body.contains("No login in progress"))
            for response in [page, home] {
                #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            }
            let css = try await client.get("/static/credmon.css")
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true && css.body.contains("@media"))
            #expect(!home.body.contains("http://") && !home.body.contains("https://"), "no external assets")
        }
    }
}
