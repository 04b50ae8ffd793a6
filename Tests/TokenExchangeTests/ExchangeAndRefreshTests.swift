import Engine
import Foundation
import OAuthTestServer
import Testing
import TokenExchange

/// RFC 8693 exchange of the storer's subject token, then refresh with the refresh token it returned.
@Suite("TokenExchange: exchange, then refresh")
struct ExchangeAndRefreshTests {
    @Test("the exchange request: grant type, subject token and types, scopes normalised, each audience, client_secret_post")
    func exchangeShape() async throws {
        let fixture = try TokenExchangeFixture()
        let (seed, subject) = fixture.storerSeed(extra: ["scopes": .string("read:/data, write:/data"), "audience": .string("https://a.example.org https://b.example.org")])
        let update = try await fixture.provider().fetch(fixture.request(seed))
        let request = try #require(fixture.server.requests(to: "/token").last)
        #expect(request.headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") == true)
        #expect(request.form["grant_type"] == "urn:ietf:params:oauth:grant-type:token-exchange")
        #expect(request.form["subject_token"] == subject)
        #expect(request.form["subject_token_type"] == "urn:ietf:params:oauth:token-type:access_token")
        #expect(request.form["requested_token_type"] == "urn:ietf:params:oauth:token-type:access_token")
        #expect(request.form["scope"] == "read:/data write:/data", "condor_credd's scopes are forwarded (contract §F.1-17), normalised")
        #expect(request.form.values("audience") == ["https://a.example.org", "https://b.example.org"])
        #expect(request.clientAuthentication == .post && request.status == 200)

        let use = try jsonObject(update.accessTokenFile)
        #expect(Set(use.keys) == ["access_token", "token_type", "expires_in"])
        #expect(use["token_type"] == .string("Bearer") && use["expires_in"] == .integer(3600))
        let token = try #require(use["access_token"]?.stringValue)
        let exchange = try #require(fixture.server.tokenExchange(issuing: token))
        #expect(exchange.scope == "read:/data write:/data" && exchange.audiences == ["https://a.example.org", "https://b.example.org"])

        let top = try jsonObject(update.rotatedSeed)
        #expect(top["refresh_token"]?.stringValue == exchange.refreshToken)
        #expect(top["token_url"] == .string(fixture.tokenURL))
        #expect(top["access_token"] == nil, "the subject token is not kept once a refresh token replaces it")
        #expect(top["scopes"] == .string("read:/data, write:/data") && top["audience"] == .string("https://a.example.org https://b.example.org"),
                "condor_credd's scopes and audience stay exactly as written (it compares them)")
    }

    @Test("then a refresh with the returned refresh token; the rotated seed keeps the fields")
    func thenRefresh() async throws {
        let fixture = try TokenExchangeFixture()
        let provider = try fixture.provider(["client_auth: client_secret_basic"])
        let (seed, _) = fixture.storerSeed()
        let first = try await provider.fetch(fixture.request(seed))
        let second = try await provider.refresh(fixture.request(SeedFile.parse(try #require(first.rotatedSeed))))
        let requests = fixture.server.requests(to: "/token")
        #expect(requests.map { $0.form["grant_type"] } == ["urn:ietf:params:oauth:grant-type:token-exchange", "refresh_token"])
        #expect(requests.allSatisfy { $0.clientAuthentication == .basic && $0.form["client_secret"] == nil })
        #expect(requests.last?.form["refresh_token"] == (try jsonObject(first.rotatedSeed))["refresh_token"]?.stringValue)
        let top = try jsonObject(second.rotatedSeed)
        let refreshToken = try #require(top["refresh_token"]?.stringValue)
        #expect(fixture.server.isActive(refreshToken: refreshToken))
        #expect(top["scopes"] == .string("read:/data") && top["token_url"] == .string(fixture.tokenURL))
        let token = try #require(try jsonObject(second.accessTokenFile)["access_token"]?.stringValue)
        #expect(fixture.server.isActive(accessToken: token))
    }

    @Test("a refresh answer without a refresh token keeps the seed as it is")
    func refreshWithoutRotation() async throws {
        let fixture = try TokenExchangeFixture(.init(rotateRefreshTokens: false, omitRefreshTokenInRefreshResponse: true))
        let provider = try fixture.provider()
        let first = try await provider.fetch(fixture.request(fixture.storerSeed().seed))
        let second = try await provider.refresh(fixture.request(SeedFile.parse(try #require(first.rotatedSeed))))
        #expect(second.rotatedSeed == nil)
    }

    @Test("an exchange without a refresh token: one warning per credential, the subject token stays and is exchanged again")
    func noRefreshToken() async throws {
        let fixture = try TokenExchangeFixture(.init(exchangeIssuesRefreshToken: false))
        let provider = try fixture.provider()
        let (seed, subject) = fixture.storerSeed()
        let first = try await provider.fetch(fixture.request(seed))
        let second = try await provider.refresh(fixture.request(seed))
        _ = try await provider.refresh(fixture.request(seed, handle: "work"))
        #expect(first.rotatedSeed == nil && second.rotatedSeed == nil, "the subject token is left in place")
        #expect(fixture.server.requests(to: "/token").allSatisfy { $0.form["subject_token"] == subject && $0.status == 200 })
        let warnings = fixture.log.warnings
        #expect(warnings.count == 2, "once for alice/pelican, once for alice/pelican_work: \(fixture.log.all)")
        #expect(warnings.allSatisfy { $0.message.contains("periodic refresh is disabled") })
        #expect(!fixture.log.all.contains(subject), "no token in the log")
    }

    @Test("subject_token is read too; a .top scope wins over scopes; minimum_lifetime and Bearer fill a sparse answer")
    func seedVariants() async throws {
        let fixture = try TokenExchangeFixture()
        let provider = try fixture.provider(["minimum_lifetime: 600"])
        let grant = fixture.server.issueGrant(clientID: TokenExchangeFixture.client.id, scope: "read:/a read:/b", subject: "alice")
        let seed = SeedFile.json(["subject_token": .string(grant.accessToken), "scope": .string("read:/a"), "scopes": .string("read:/b")])
        _ = try await provider.fetch(fixture.request(seed))
        let request = try #require(fixture.server.requests(to: "/token").last)
        #expect(request.form["subject_token"] == grant.accessToken && request.form["scope"] == "read:/a")

        fixture.server.inject(.status(200, body: #"{"access_token":"sparse-token"}"#), path: "/token")
        let sparse = try await provider.fetch(fixture.request(seed))
        #expect(try jsonObject(sparse.accessTokenFile) == ["access_token": .string("sparse-token"), "token_type": .string("Bearer"), "expires_in": .integer(600)])
        #expect(sparse.validity.map { $0.lifetime } == 600)
        #expect(sparse.rotatedSeed == nil)
    }

    @Test("invalid_target, a dead subject token and a refused client are terminal; 503 and 429 transient with Retry-After")
    func errorClasses() async throws {
        let fixture = try TokenExchangeFixture(.init(allowedAudiences: ["https://ok.example.org"]))
        let provider = try fixture.provider()
        let target = await fixture.failure {
            _ = try await provider.fetch(fixture.request(fixture.storerSeed(extra: ["audience": .string("https://elsewhere.example.org")]).seed))
        }
        #expect(target?.disposition == .terminal && target?.code == .server("invalid_target"))

        let dead = await fixture.failure { _ = try await provider.fetch(fixture.request(.json(["access_token": .string("never-issued")]))) }
        #expect(dead?.disposition == .terminal && dead?.code == .server("invalid_grant"))

        fixture.server.inject(.status(503), path: "/token")
        let down = await fixture.failure { _ = try await provider.fetch(fixture.request(fixture.storerSeed().seed)) }
        #expect(down?.disposition == .transient && down?.code == .httpStatus(503))
        fixture.server.inject(.tooManyRequests(retryAfter: 9), path: "/token")
        let busy = await fixture.failure { _ = try await provider.fetch(fixture.request(fixture.storerSeed().seed)) }
        #expect(busy?.disposition == .transient && busy?.retryAfter == 9)

        fixture.server.updateConfiguration { $0.clients = [] }
        let client = await fixture.failure { _ = try await provider.fetch(fixture.request(fixture.storerSeed().seed)) }
        #expect(client?.disposition == .terminal && client?.code == .server("invalid_client"))
    }

    @Test("a .top that is not JSON, or holds no token, is terminal and sends nothing")
    func unusableSeeds() async throws {
        let fixture = try TokenExchangeFixture()
        let provider = try fixture.provider()
        for seed in [SeedFile.opaque(Array("alice@ap".utf8)), .json(["scopes": .string("read:/data")]), .json(["access_token": .string("")])] {
            let error = await fixture.failure { _ = try await provider.fetch(fixture.request(seed)) }
            #expect(error?.disposition == .terminal && error?.code == .unusableSeed)
        }
        #expect(fixture.server.requestLog.isEmpty)
    }

    @Test("traits: handles, seeds read, a newer seed acted on at once, renew at half, nothing revoked")
    func traits() throws {
        let fixture = try TokenExchangeFixture()
        let provider = try fixture.provider()
        let traits = provider.profile.traits
        #expect(traits.allowsHandles && traits.readsSeed && traits.renewsWhenSeedIsNewer)
        #expect(traits.renewFraction == 0.5 && !traits.revokesOnRemoval)
        #expect(!provider.profile.settings.contains { $0.value.contains(TokenExchangeFixture.client.secret) })
    }
}
