import Engine
import Foundation
import Testing
@testable import Vault

@Suite("Vault: which vault_urls get a Vault token")
struct VaultURLPolicyTests {
    static let htcondor = VaultURLPolicy(allowedPorts: [8200], trustedHosts: nil)

    @Test("HTCondor's rule: https, an explicit port 8200, a path under /v1", arguments: [
        ("https://vault.example.org:8200/v1/secret/oauth/creds/igwn/alice:default", true),
        ("https://vault.example.org/v1/secret/oauth/creds/igwn/alice:default", false),
        ("https://vault.example.org:8201/v1/secret/oauth/creds/igwn/alice", false),
        ("http://vault.example.org:8200/v1/secret/oauth/creds/igwn/alice", false),
        ("https://vault.example.org:8200/v2/secret", false),
        ("https://vault.example.org:8200/v1x/secret", false),
        ("https://vault.example.org:8200/v1/../sys/seal", false),
        ("https://user:pw@vault.example.org:8200/v1/secret", false),
        ("https://vault.example.org:8200/v1/secret#frag", false),
        ("not a url", false),
        ("http://127.0.0.1:8200/v1/secret/oauth/creds/a/b", true),
    ])
    func htcondorRule(url: String, allowed: Bool) {
        switch Self.htcondor.check(url) {
        case .success: #expect(allowed, "\(url) must be refused")
        case .failure(let error):
            #expect(!allowed, "\(url) must pass: \(error)")
            #expect(error.disposition == .terminal && error.code == .untrustedEndpoint)
            #expect(error.message.contains("refused"))
        }
    }

    @Test("allowed_ports [any] lifts the port rule; trusted_hosts (TRUSTED_VAULT_HOSTS) limits the hosts")
    func configurable() throws {
        let anyPort = VaultURLPolicy(allowedPorts: nil, trustedHosts: ["vault.example.org"])
        #expect((try? anyPort.check("https://vault.example.org/v1/secret/x").get()) != nil)
        #expect((try? anyPort.check("https://vault.example.org:9999/v1/secret/x").get()) != nil)
        guard case .failure(let error) = anyPort.check("https://evil.example.com:8200/v1/secret/x") else {
            Issue.record("an untrusted host passed")
            return
        }
        #expect(error.message.contains("trusted_hosts"))
        #expect(!error.message.contains("?"), "the query is never shown")
    }

    @Test("the request carries minimum_seconds, scopes and audience (a /creds/ path) or audiences, encoded")
    func requestURL() throws {
        let seed = try #require(VaultSeed(.json(["vault_url": .string("https://v.example.org:8200/v1/secret/oauth/creds/igwn/alice:default"),
                                                  "vault_token": .string("hvs.abc"), "scopes": .string("read:/a b,write:/c+d"),
                                                  "audience": .string("https://aud.example")])))
        let components = try Self.htcondor.check(seed.vaultURL).get()
        let url = try #require(seed.requestURL(components, minimumSeconds: 2400))
        let query = try #require(URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems)
        #expect(query.first { $0.name == "minimum_seconds" }?.value == "2400")
        #expect(query.first { $0.name == "scopes" }?.value == "read:/a b,write:/c+d")
        #expect(query.first { $0.name == "audience" }?.value == "https://aud.example")
        #expect(!url.absoluteString.contains("hvs.abc"), "the Vault token never goes in the URL")
        #expect(url.absoluteString.contains("%2B"), "a '+' is sent encoded, not read as a space")

        let plain = try #require(VaultSeed(.json(["vault_url": .string("https://v.example.org:8200/v1/secret/oauth/bearer/igwn"),
                                                   "audience": .string("A")])))
        let other = try #require(plain.requestURL(try Self.htcondor.check(plain.vaultURL).get(), minimumSeconds: 60))
        #expect(other.query?.contains("audiences=A") == true)
        #expect(other.query?.contains("scopes") == false)
    }

    @Test("a .top is a Vault seed only as a JSON object with a string vault_url; a handle record may lack the token")
    func seeds() {
        #expect(VaultSeed(.opaque(Array("alice@foo".utf8))) == nil)
        #expect(VaultSeed(.json(["refresh_token": .string("r")])) == nil)
        #expect(VaultSeed(.json(["vault_url": .integer(3)])) == nil)
        #expect(VaultSeed(.json(["vault_url": .string("https://v:8200/v1/x")]))?.vaultToken == nil)
        #expect(VaultSeed(.json(["vault_url": .string("https://v:8200/v1/x"), "vault_token": .string("")]))?.vaultToken == nil)
        #expect(VaultSeed.isHeaderSafe("hvs.CAESI-abc_def"))
        #expect(!VaultSeed.isHeaderSafe("tok\r\nX-Evil: 1"))
        #expect(!VaultSeed.isHeaderSafe(""))
    }
}
