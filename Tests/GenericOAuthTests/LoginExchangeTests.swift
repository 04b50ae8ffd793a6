import Engine
import Foundation
import OAuthTestServer
import Testing

/// The web login's code exchange through `fetch` (a request carrying an `AuthorizationGrant`), against a real
/// authorization code from the loopback server's login and consent pages.
@Suite("GenericOAuth: the web login's code exchange")
struct LoginExchangeTests {
    @Test("a confidential client's login gives .meta, .top, .use and who logged in")
    func confidentialClient() async throws {
        let fixture = try LoginFixture()
        let provider = try fixture.provider()
        let verifier = OAuthServer.PKCE.makeVerifier()
        let code = try await fixture.authorizationCode(verifier: verifier, scope: "openid read:/data", nonce: "nonce-42")
        let grant = fixture.grant(code: code, verifier: verifier, scopes: "read:/data  write:/data/{user}", audience: "https://storage.example.org",
                                  userinfo: true)
        let update = try await provider.fetch(fixture.request(grant))

        let meta = try jsonObject(update.metadata)
        #expect(meta["client_id"]?.stringValue == LoginFixture.client.id)
        #expect(meta["client_secret"]?.stringValue == LoginFixture.client.secret)
        #expect(meta["token_url"]?.stringValue == fixture.server.url("/token").absoluteString)
        #expect(meta["use_refresh_token"]?.boolValue == true)

        let top = try jsonObject(update.rotatedSeed)
        let refreshToken = try #require(top["refresh_token"]?.stringValue)
        #expect(fixture.server.isActive(refreshToken: refreshToken))
        #expect(top["scopes"]?.stringValue == "read:/data  write:/data/{user}", "condor_credd's scopes, verbatim")
        #expect(top["audience"]?.stringValue == "https://storage.example.org", "condor_credd's audience, verbatim")

        let use = try AccessTokenFile.parse(update.accessTokenFile, path: "alice/web.use")
        #expect(fixture.server.isActive(accessToken: use.accessToken))
        #expect(use.object["refresh_token"] == nil, ".use never carries the refresh token")
        #expect(update.validity.map { $0.expiresAt > Date() } == true)

        #expect(update.login == LoginOutcome(displayName: "alice@example.org", idTokenNonce: "nonce-42", hasRefreshToken: true))
        let exchange = try #require(fixture.server.requests(to: "/token").first)
        #expect(exchange.formFields["grant_type"] == "authorization_code" && exchange.formFields["code_verifier"] == verifier)
    }

    @Test("without user-info or an ID token the outcome names nobody and carries no nonce")
    func noUserInfo() async throws {
        let fixture = try LoginFixture()
        let provider = try fixture.provider()
        let verifier = OAuthServer.PKCE.makeVerifier()
        let code = try await fixture.authorizationCode(verifier: verifier)
        let update = try await provider.fetch(fixture.request(fixture.grant(code: code, verifier: verifier)))
        #expect(update.login == LoginOutcome(displayName: nil, idTokenNonce: nil, hasRefreshToken: true))
        let top = try jsonObject(update.rotatedSeed)
        #expect(top["scopes"] == nil && top["audience"] == nil, "no scopes or audience from condor_credd: none in .top")
        #expect(fixture.server.requests(to: "/userinfo").isEmpty)
    }

    @Test("a public client's .meta has no client_secret, and it sends none")
    func publicClient() async throws {
        let fixture = try LoginFixture()
        let provider = try fixture.provider()
        // The loopback server registers confidential clients only: its answer to the public client is injected.
        fixture.server.inject(.status(200, body: #"{"access_token":"at-public","token_type":"Bearer","expires_in":600,"refresh_token":"rt-public","sub":"bob"}"#),
                              path: "/token")
        let update = try await provider.fetch(fixture.request(fixture.grant(code: "code-public", verifier: OAuthServer.PKCE.makeVerifier(), secret: nil)))
        let meta = try jsonObject(update.metadata)
        #expect(meta["client_secret"] == nil)
        #expect(meta["client_id"]?.stringValue == LoginFixture.client.id)
        #expect(try jsonObject(update.rotatedSeed)["refresh_token"]?.stringValue == "rt-public")
        #expect(update.login?.displayName == "bob", "the answer's sub, without user-info")
        let sent = try #require(fixture.server.requests(to: "/token").first)
        #expect(sent.formFields["client_secret"] == nil && !sent.authorizationHeaderPresent)
    }

    @Test("a code used twice is terminal, with the server's error code")
    func reusedCode() async throws {
        let fixture = try LoginFixture()
        let provider = try fixture.provider()
        let verifier = OAuthServer.PKCE.makeVerifier()
        let grant = fixture.grant(code: try await fixture.authorizationCode(verifier: verifier), verifier: verifier)
        _ = try await provider.fetch(fixture.request(grant))
        let error = await #expect(throws: ProviderError.self) { _ = try await provider.fetch(fixture.request(grant)) }
        #expect(error?.disposition == .terminal)
        #expect(error?.code == .server("invalid_grant"))
    }
}
