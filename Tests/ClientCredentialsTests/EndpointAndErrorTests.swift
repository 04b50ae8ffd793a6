import ClientCredentials
import Engine
import Foundation
import OAuthTestServer
import Testing

/// The token endpoint by discovery (with its last good value) and how the server's refusals are classified.
@Suite("ClientCredentials: discovery and error classes")
struct EndpointAndErrorTests {
    static let wellKnown = ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"]

    @Test("without token_url the endpoint is discovered from issuer; when discovery fails the last good one is used")
    func discoveryLastGood() async throws {
        let fixture = try ClientCredentialsFixture()
        // discovery_cache 0: every fetch looks the endpoint up again, so the second one meets the failure.
        let provider = try fixture.provider(["issuer: \(fixture.server.issuer)", "discovery_cache: 0"])
        _ = try await provider.fetch(fixture.request())
        #expect(fixture.server.requests(to: "/.well-known/openid-configuration").count == 1)
        for path in Self.wellKnown { fixture.server.inject(.status(503), count: 1, path: path) }
        let update = try await provider.fetch(fixture.request())
        #expect(fixture.server.requests(to: "/token").map(\.status) == [200, 200], "the last good endpoint served")
        #expect(fixture.server.requests(to: "/.well-known/openid-configuration").last?.status == 503)
        #expect(!update.accessTokenFile.isEmpty)
    }

    @Test("a fresh discovery result is cached for discovery_cache seconds")
    func discoveryCached() async throws {
        let fixture = try ClientCredentialsFixture()
        let provider = try fixture.provider(["issuer: \(fixture.server.issuer)"])
        _ = try await provider.fetch(fixture.request())
        _ = try await provider.fetch(fixture.request("bob"))
        #expect(fixture.server.requests(to: "/.well-known/openid-configuration").count == 1)
        #expect(fixture.server.requests(to: "/token").count == 2)
    }

    @Test("discovery failing with nothing cached is transient, and nothing is sent to a token endpoint")
    func discoveryFailsCold() async throws {
        let fixture = try ClientCredentialsFixture()
        let provider = try fixture.provider(["issuer: \(fixture.server.issuer)"])
        for path in Self.wellKnown { fixture.server.inject(.status(503), count: 1, path: path) }
        let error = await fixture.failure { _ = try await provider.fetch(fixture.request()) }
        #expect(error?.disposition == .transient)
        #expect(fixture.server.requests(to: "/token").isEmpty)
    }

    @Test("invalid_client (a wrong secret) is terminal, and the error holds no secret")
    func invalidClient() async throws {
        let fixture = try ClientCredentialsFixture()
        let wrong = try fixture.directory.write("wrong-secret", "not-the-secret\n")
        chmod(wrong, 0o600)
        let loaded = try fixture.load(["client_id: \(ClientCredentialsFixture.client.id)", "client_secret_file: \(wrong)", "token_url: \(fixture.tokenURL)"])
        let provider = try #require(loaded.provider, "\(loaded.errors)")
        let error = await fixture.failure { _ = try await provider.fetch(fixture.request()) }
        #expect(error?.disposition == .terminal)
        #expect(error?.code == .server("invalid_client"))
        #expect(error.map { !$0.message.contains("not-the-secret") } == true)
    }

    @Test("unauthorized_client, invalid_scope and invalid_target are terminal")
    func terminalCodes() async throws {
        let restricted = OAuthServer.Client(id: "restricted", secret: "s3cret", allowedScopes: ["read:/data"])
        let fixture = try ClientCredentialsFixture(.init(clients: [.default, restricted], allowedAudiences: ["https://ok.example.org"]))
        let target = await fixture.failure { _ = try await fixture.provider(["audience: [\"https://elsewhere.example.org\"]"]).fetch(fixture.request()) }
        #expect(target?.disposition == .terminal && target?.code == .server("invalid_target"))

        let secret = try fixture.directory.write("restricted-secret", "s3cret")
        chmod(secret, 0o600)
        let loaded = try fixture.load(["client_id: restricted", "client_secret_file: \(secret)", "token_url: \(fixture.tokenURL)"])
        let provider = try #require(loaded.provider, "\(loaded.errors)")
        let scope = await fixture.failure { _ = try await provider.fetch(fixture.request()) }
        #expect(scope?.disposition == .terminal && scope?.code == .server("invalid_scope"))

        fixture.server.inject(.status(400, body: #"{"error":"unauthorized_client","error_description":"no client_credentials"}"#), path: "/token")
        let unauthorized = await fixture.failure { _ = try await fixture.provider().fetch(fixture.request()) }
        #expect(unauthorized?.disposition == .terminal && unauthorized?.code == .server("unauthorized_client"))
    }

    @Test("5xx, 429 with Retry-After and a network error are transient")
    func transient() async throws {
        let fixture = try ClientCredentialsFixture()
        let provider = try fixture.provider()
        fixture.server.inject(.status(502), path: "/token")
        let bad = await fixture.failure { _ = try await provider.fetch(fixture.request()) }
        #expect(bad?.disposition == .transient && bad?.code == .httpStatus(502))
        fixture.server.inject(.tooManyRequests(retryAfter: 17), path: "/token")
        let busy = await fixture.failure { _ = try await provider.refresh(fixture.request()) }
        #expect(busy?.disposition == .transient && busy?.retryAfter == 17)
        let quick = try fixture.provider(["timeout: 1"])
        fixture.server.stopHoldingPort()
        let gone = await fixture.failure { _ = try await quick.fetch(fixture.request()) }
        #expect(gone?.disposition == .transient && gone?.code == .network)
    }

    @Test("an answer already expired on arrival is refused, not written")
    func expiredAnswer() async throws {
        let fixture = try ClientCredentialsFixture(.init(accessTokenLifetime: 0))
        let error = await fixture.failure { _ = try await fixture.provider().fetch(fixture.request()) }
        #expect(error?.disposition == .transient && error?.code == .tokenAlreadyExpired)
    }
}
