import Engine
import Foundation
import OAuthTestServer
import Testing
@testable import TokenExchange

/// Where the client secret may go: the fragment's endpoints and the issuers it trusts, never a host a `.top` names
/// on its own; and the fragment's keys and HTCondor's Pelican knobs.
@Suite("TokenExchange: trusted issuers, fragments and knobs")
struct TrustAndConfigurationTests {
    @Test("without token_url the fragment issuer's endpoint is discovered (once, cached) for a .top that names none")
    func fragmentIssuer() async throws {
        let fixture = try TokenExchangeFixture()
        let provider = try fixture.provider(["issuer: \(fixture.server.issuer)"])
        let first = try await provider.fetch(fixture.request(fixture.storerSeed().seed))
        _ = try await provider.fetch(fixture.request(fixture.storerSeed(user: "bob").seed, user: "bob"))
        #expect(fixture.server.requests(to: "/.well-known/openid-configuration").count == 1)
        #expect(fixture.server.requests(to: "/token").map(\.status) == [200, 200])
        let top = try jsonObject(first.rotatedSeed)
        #expect(top["iss"] == .string(fixture.server.issuer) && top["token_url"] == .string(fixture.tokenURL))
        // The next refresh finds its endpoint through the seed's own (trusted) iss; discovery failing uses the last good.
        for path in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] { fixture.server.inject(.status(503), path: path) }
        _ = try await provider.refresh(fixture.request(SeedFile.parse(try #require(first.rotatedSeed))))
        #expect(fixture.server.requests(to: "/token").last?.form["grant_type"] == "refresh_token")
    }

    @Test("a .top naming another token_url is refused, naming trusted_issuers; nothing is sent there")
    func untrustedTokenURL() async throws {
        let fixture = try TokenExchangeFixture()
        let other = try OAuthServer()
        defer { other.stop() }
        let provider = try fixture.provider(["issuer: \(fixture.server.issuer)"])
        let (seed, _) = fixture.storerSeed(extra: ["token_url": .string(other.url("/token").absoluteString)])
        let error = await fixture.failure { _ = try await provider.fetch(fixture.request(seed)) }
        #expect(error?.disposition == .terminal && error?.code == .untrustedEndpoint)
        #expect(error?.message.contains("trusted_issuers") == true, "\(String(describing: error))")
        #expect(other.requestLog.isEmpty && fixture.server.requests(to: "/token").isEmpty)
    }

    @Test("a .top's iss, or the subject token's unverified iss, that is not trusted is refused; listed, its endpoint is used")
    func trustedIssuers() async throws {
        let fixture = try TokenExchangeFixture()
        let other = try OAuthServer()
        defer { other.stop() }
        let subject = unsignedJWT(["iss": .string(other.issuer), "sub": .string("alice"), "scope": .string("read:/data")])
        other.registerSubjectToken(subject, subject: "alice", scope: "read:/data")
        let jwtSeed = SeedFile.json(["access_token": .string(subject)])
        let issSeed = SeedFile.json(["access_token": .string(subject), "iss": .string(other.issuer)])

        let strict = try fixture.provider(["issuer: \(fixture.server.issuer)"])
        for seed in [jwtSeed, issSeed] {
            let error = await fixture.failure { _ = try await strict.fetch(fixture.request(seed)) }
            #expect(error?.disposition == .terminal && error?.code == .untrustedEndpoint)
            #expect(error?.message.contains("trusted_issuers") == true)
        }
        #expect(other.requestLog.isEmpty)

        let trusting = try fixture.provider(["issuer: \(fixture.server.issuer)", "trusted_issuers: [\"\(other.issuer)/\"]"])
        let update = try await trusting.fetch(fixture.request(jwtSeed))
        #expect(other.requests(to: "/token").map(\.status) == [200])
        #expect(fixture.server.requests(to: "/token").isEmpty)
        let top = try jsonObject(update.rotatedSeed)
        #expect(top["token_url"] == .string(other.url("/token").absoluteString))
        #expect(top["iss"] == .string(other.issuer + "/"), "the configured spelling")
        // A .top token_url under a trusted issuer is used as it is.
        let underSeed = SeedFile.json(["refresh_token": .string(try #require(top["refresh_token"]?.stringValue)),
                                       "token_url": .string(other.url("/token").absoluteString)])
        let onlyTrusted = try fixture.provider(["trusted_issuers: [\"\(other.issuer)\"]"])
        _ = try await onlyTrusted.refresh(fixture.request(underSeed))
        #expect(other.requests(to: "/token").last?.form["grant_type"] == "refresh_token")
    }

    @Test("the fragment's token_url wins over whatever the .top names")
    func fragmentTokenURLWins() async throws {
        let fixture = try TokenExchangeFixture()
        let (seed, _) = fixture.storerSeed(extra: ["iss": .string("https://attacker.example.org"), "token_url": .string("https://attacker.example.org/token")])
        _ = try await fixture.provider().fetch(fixture.request(seed))
        #expect(fixture.server.requests(to: "/token").map(\.status) == [200])
    }

    @Test("isUnder: same origin, at or below the issuer's path, no dot segments")
    func isUnder() {
        let issuer = "https://idp.example.org/realms/x"
        #expect(TokenExchangeProvider.isUnder(URL(string: "https://idp.example.org/realms/x/protocol/token")!, issuer: issuer))
        #expect(TokenExchangeProvider.isUnder(URL(string: "https://IDP.example.org:443/realms/x/token")!, issuer: issuer + "/"))
        #expect(!TokenExchangeProvider.isUnder(URL(string: "https://idp.example.org/realms/xy/token")!, issuer: issuer))
        #expect(!TokenExchangeProvider.isUnder(URL(string: "https://idp.example.org/realms/x/../y/token")!, issuer: issuer))
        #expect(!TokenExchangeProvider.isUnder(URL(string: "https://idp.example.org.evil.org/realms/x/token")!, issuer: issuer))
        #expect(!TokenExchangeProvider.isUnder(URL(string: "http://idp.example.org/realms/x/token")!, issuer: issuer))
        #expect(!TokenExchangeProvider.isUnder(URL(string: "https://idp.example.org:8443/realms/x/token")!, issuer: issuer))
    }

    @Test("fragment errors name the file, the line and the key")
    func fragmentErrors() throws {
        let fixture = try TokenExchangeFixture()
        let base = ["client_id: c", "client_secret_file: \(fixture.secretFile)"]
        let bogusCA = try fixture.directory.write("not-a-ca.pem", "not a certificate\n")
        let cases: [([String], String)] = [
            ([], "token_url"),
            (["token_url: http://pelican.example.org/token"], "token_url"),
            (["trusted_issuers: [\"http://pelican.example.org\"]"], "trusted_issuers"),
            (["token_url: \(fixture.tokenURL)", "minimum_lifetime: 0"], "minimum_lifetime"),
            (["token_url: \(fixture.tokenURL)", "ca_file: \(bogusCA)"], "ca_file"),
            (["token_url: \(fixture.tokenURL)", "client_auth: tls_client_auth"], "client_auth"),
        ]
        for (keys, key) in cases {
            let loaded = try fixture.load(base + keys)
            #expect(loaded.provider == nil, "\(keys)")
            let error = loaded.errors.first { $0.key == key }
            #expect(error?.file == loaded.path && error?.line != nil, "\(keys): \(loaded.errors)")
        }
        let missing = try fixture.load(["token_url: \(fixture.tokenURL)"])
        #expect(Set(missing.errors.compactMap(\.key)).isSuperset(of: ["client_id", "client_secret_file"]), "\(missing.errors)")
    }

    @Test("the Pelican knobs become the fragment keys; PELICAN_CREDMON_TLS_SKIP_VERIFY true is a problem naming it")
    func knobs() throws {
        let knobs = CondorKnobs(values: [
            "OSDF_PELICAN_CLIENT_ID": "ap-client", "OSDF_PELICAN_CLIENT_SECRET_FILE": "/etc/condor/.secrets/osdf",
            "osdf_PELICAN_TOKEN_URL": "https://osdf.example.org/api/v1.0/issuer/token", "CREDMON_OAUTH_TOKEN_MINIMUM": "900",
            "PELICAN_CREDMON_CA_FILE": "/etc/pki/osdf-ca.pem", "PELICAN_CREDMON_TLS_SKIP_VERIFY": "false",
        ], origin: "test")
        let fragment = try #require(TokenExchangeKind.knobFragment(service: "osdf", knobs: knobs))
        #expect(fragment.problems.isEmpty && fragment.credentialType == .pelican)
        #expect(fragment.value(of: "client_id") == .string("ap-client"))
        #expect(fragment.value(of: "token_url") == .string("https://osdf.example.org/api/v1.0/issuer/token"))
        #expect(fragment.entries.first { $0.key == "token_url" }?.source == "osdf_PELICAN_TOKEN_URL")
        #expect(fragment.value(of: "minimum_lifetime") == .integer(900))
        #expect(fragment.value(of: "ca_file") == .string("/etc/pki/osdf-ca.pem"))
        for value in ["true", "1", "yes", "On"] {
            let skipping = CondorKnobs(values: ["OSDF_PELICAN_CLIENT_ID": "c", "PELICAN_CREDMON_TLS_SKIP_VERIFY": value], origin: "test")
            let problems = try #require(TokenExchangeKind.knobFragment(service: "osdf", knobs: skipping)).problems
            #expect(problems.count == 1 && problems.first?.key == "PELICAN_CREDMON_TLS_SKIP_VERIFY", "\(value)")
            #expect(problems.first?.fix?.contains("PELICAN_CREDMON_CA_FILE") == true)
        }
    }
}
