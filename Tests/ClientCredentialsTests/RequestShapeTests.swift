import ClientCredentials
import Engine
import Foundation
import OAuthTestServer
import Testing

/// What goes to the token endpoint (RFC 6749 §4.4.2) and what comes back as `.use`.
@Suite("ClientCredentials: the token request and the access-token file")
struct RequestShapeTests {
    @Test("a form-encoded client_credentials POST with scope (not scopes), condor.user, each audience, client_secret_post")
    func postShape() async throws {
        let fixture = try ClientCredentialsFixture()
        let provider = try fixture.provider(["scopes: \"read:/user/{username} write:/data\"",
                                             "audience: [\"https://a.example.org\", \"https://b.example.org\"]"])
        let update = try await provider.fetch(fixture.request("alice"))
        let request = try #require(fixture.server.requests(to: "/token").last)
        #expect(request.method == "POST")
        #expect(request.headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true)
        #expect(request.form["grant_type"] == "client_credentials")
        #expect(request.form["scope"] == "read:/user/alice write:/data condor.user:alice")
        #expect(request.form["scopes"] == nil, "HTCondor's misspelt parameter (contract §F.1-7) is not sent")
        #expect(request.form.values("audience") == ["https://a.example.org", "https://b.example.org"], "one audience parameter each (RFC 8693 §2.1)")
        #expect(request.clientAuthentication == .post)
        #expect(request.form["client_id"] == ClientCredentialsFixture.client.id)
        #expect(request.status == 200)

        let use = try jsonObject(update.accessTokenFile)
        #expect(Set(use.keys) == ["access_token", "expires_in"], "the local issuer's .use shape")
        let token = try #require(use["access_token"]?.stringValue)
        #expect(fixture.server.isActive(accessToken: token))
        #expect(use["expires_in"] == .integer(3600))
        let issued = try #require(fixture.server.issuedAccessToken(token))
        #expect(issued.audiences == ["https://a.example.org", "https://b.example.org"])
        #expect(issued.scope.contains("condor.user:alice"))
        #expect(update.rotatedSeed == nil)
        #expect(update.validity.map { $0.lifetime } == 3600)
    }

    @Test("client_secret_basic sends the client in an Authorization header and no secret in the body")
    func basic() async throws {
        let fixture = try ClientCredentialsFixture()
        let provider = try fixture.provider(["client_auth: client_secret_basic"])
        _ = try await provider.fetch(fixture.request())
        let request = try #require(fixture.server.requests(to: "/token").last)
        #expect(request.clientAuthentication == .basic)
        #expect(request.authorizationHeaderPresent)
        #expect(request.form["client_secret"] == nil && request.form["client_id"] == nil)
        #expect(request.status == 200)
    }

    @Test("the default scope is HTCondor's template; user_scope false leaves condor.user out; the wlcg profile adds wlcg")
    func scopes() async throws {
        let fixture = try ClientCredentialsFixture()
        _ = try await fixture.provider().fetch(fixture.request("bob"))
        #expect(fixture.server.requests(to: "/token").last?.form["scope"] == "read:/user/bob write:/user/bob condor.user:bob")
        _ = try await fixture.provider(["user_scope: false", "profile: wlcg", "scopes: [\"storage.read:/\"]"]).fetch(fixture.request("bob"))
        #expect(fixture.server.requests(to: "/token").last?.form["scope"] == "storage.read:/ wlcg")
        _ = try await fixture.provider(["user_scope: false", "scopes: \"\""]).fetch(fixture.request("bob"))
        #expect(fixture.server.requests(to: "/token").last?.form["scope"] == nil, "no scope at all: the parameter is left out")
    }

    @Test("condor.user carries the user percent-encoded as Python's urllib.parse.quote does")
    func quotedUser() throws {
        let fixture = try ClientCredentialsFixture()
        let provider = try #require(try fixture.provider(["scopes: \"\""]) as? ClientCredentialsProvider)
        #expect(provider.configuration.scope(for: "a.b-c_d") == ["condor.user:a.b-c_d"])
        #expect(provider.configuration.scope(for: "x@y z") == ["condor.user:x%40y%20z"])
    }

    @Test("a Django-style answer (no expires_in, no refresh_token) gets lifetime_fallback; never a refresh")
    func djangoStyle() async throws {
        let fixture = try ClientCredentialsFixture(.init(clientCredentialsOmitsExpiresIn: true))
        let provider = try fixture.provider(["lifetime_fallback: 900"])
        let first = try await provider.fetch(fixture.request())
        #expect(try jsonObject(first.accessTokenFile)["expires_in"] == .integer(900))
        #expect(first.validity.map { $0.lifetime } == 900)
        #expect(first.rotatedSeed == nil)
        let renewed = try await provider.refresh(fixture.request())
        #expect(fixture.server.requests(to: "/token").map { $0.form["grant_type"] } == ["client_credentials", "client_credentials"],
                "renewal fetches anew with the same grant")
        #expect(try jsonObject(renewed.accessTokenFile)["access_token"] != (try jsonObject(first.accessTokenFile))["access_token"])
    }

    @Test("use_json false writes the bare token and a newline")
    func bare() async throws {
        let fixture = try ClientCredentialsFixture()
        let update = try await fixture.provider(["use_json: false"]).fetch(fixture.request())
        let text = String(decoding: update.accessTokenFile, as: UTF8.self)
        #expect(text.hasSuffix("\n") && !text.dropLast().contains("\n"))
        #expect(fixture.server.isActive(accessToken: String(text.dropLast())))
        let file = try AccessTokenFile.parse(update.accessTokenFile, path: "cc.use")
        #expect(file.format == .bare)
        #expect(update.validity.map { $0.lifetime } == 3600, "the engine schedules from the answer's lifetime")
    }

    @Test("traits: no handles (credd refuses them), placeholder never read, root-owned seeds, renew at half, no revocation")
    func traits() throws {
        let fixture = try ClientCredentialsFixture()
        let provider = try fixture.provider()
        let traits = provider.profile.traits
        #expect(!traits.allowsHandles && !traits.readsSeed && traits.requiresPrivilegedSeed)
        #expect(traits.renewFraction == 0.5 && !traits.revokesOnRemoval)
        #expect(provider.profile.kind == "client-credentials")
        #expect(!provider.profile.settings.contains { $0.value.contains(ClientCredentialsFixture.client.secret) }, "no secret in the settings")
    }

    @Test("revoke sends nothing")
    func revoke() async throws {
        let fixture = try ClientCredentialsFixture()
        try await fixture.provider().revoke(RevocationRequest(id: fixture.request().id, seed: nil, metadata: nil))
        #expect(fixture.server.requestLog.isEmpty)
    }
}
