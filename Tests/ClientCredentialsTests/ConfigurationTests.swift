import ClientCredentials
import Engine
import Foundation
import Testing

/// Fragment errors name the file, the line and the key; HTCondor's `CLIENT_CREDMON_*` knobs become the same keys.
@Suite("ClientCredentials: fragments and knobs")
struct ConfigurationTests {
    @Test("client_id and client_secret_file are required; the errors name the file and the key")
    func required() throws {
        let fixture = try ClientCredentialsFixture()
        let loaded = try fixture.load(["token_url: \(fixture.tokenURL)"])
        #expect(loaded.provider == nil)
        for key in ["client_id", "client_secret_file"] {
            let error = try #require(loaded.errors.first { $0.key == key }, "\(loaded.errors)")
            #expect(error.file == loaded.path && error.line != nil)
        }
    }

    @Test("a secret file that is empty, missing or readable by others is an error naming its line; the secret is the first line, stripped")
    func secretFile() throws {
        let fixture = try ClientCredentialsFixture()
        let empty = try fixture.directory.write("empty", "  \n")
        chmod(empty, 0o600)
        let open = try fixture.directory.write("open", "secret")
        chmod(open, 0o644)
        for (file, expected) in [(empty, "empty"), (open, "readable by group or others"), (fixture.directory.file("absent"), "does not exist")] {
            let loaded = try fixture.load(["client_id: c", "token_url: \(fixture.tokenURL)", "client_secret_file: \(file)"])
            #expect(loaded.provider == nil)
            let error = try #require(loaded.errors.first { $0.key == "client_secret_file" }, "\(loaded.errors)")
            #expect(error.line == 5 && error.problem.contains(expected), "\(error)")
        }
        let padded = try fixture.directory.write("padded", "  \(ClientCredentialsFixture.client.secret) \nsecond line\n")
        chmod(padded, 0o600)
        let provider = try #require(try fixture.load(["client_id: c", "token_url: \(fixture.tokenURL)", "client_secret_file: \(padded)"]).provider as? ClientCredentialsProvider)
        #expect(provider.configuration.clientSecret == ClientCredentialsFixture.client.secret)
    }

    @Test("without token_url and issuer, with a bad placeholder or a non-https endpoint: errors naming the key")
    func badValues() throws {
        let fixture = try ClientCredentialsFixture()
        let base = ["client_id: c", "client_secret_file: \(fixture.secretFile)"]
        let cases: [([String], String)] = [
            ([], "token_url"),
            (["token_url: \(fixture.tokenURL)", "scopes: \"read:/{user}\""], "scopes"),
            (["token_url: http://idp.example.org/token"], "token_url"),
            (["issuer: http://idp.example.org"], "issuer"),
            (["token_url: \(fixture.tokenURL)", "client_auth: private_key_jwt"], "client_auth"),
            (["token_url: \(fixture.tokenURL)", "profile: wlcg:9"], "profile"),
            (["token_url: \(fixture.tokenURL)", "lifetime_fallback: 0"], "lifetime_fallback"),
        ]
        for (keys, key) in cases {
            let loaded = try fixture.load(base + keys)
            #expect(loaded.provider == nil, "\(keys)")
            #expect(loaded.errors.contains { $0.key == key && $0.file == loaded.path }, "\(keys): \(loaded.errors)")
        }
    }

    @Test("CLIENT_CREDMON_<P>_X overrides CLIENT_CREDMON_X; each value remembers its knob")
    func knobs() throws {
        let knobs = CondorKnobs(values: [
            "CLIENT_CREDMON_CLIENT_ID": "global-client", "client_credmon_cc_CLIENT_ID": "cc-client",
            "CLIENT_CREDMON_CLIENT_SECRET_FILE": "/etc/condor/.secrets/cc", "CLIENT_CREDMON_TOKEN_URL": "https://idp.example.org/token",
            "CLIENT_CREDMON_TOKEN_ENDPOINT_LIFETIME": "600", "CLIENT_CREDMON_AUTHZ_TEMPLATE": "read:/user/{username}",
            "CLIENT_CREDMON_TOKEN_AUDIENCE": "https://a.example.org https://b.example.org", "CLIENT_CREDMON_TOKEN_VERSION": "wlcg",
            "CLIENT_CREDMON_CC_TOKEN_LIFETIME": "300", "CLIENT_CREDMON_CC_TOKEN_USE_JSON": "false", "FULL_HOSTNAME": "ap.example.org",
        ], origin: "test")
        let fragment = try #require(ClientCredentialsKind.knobFragment(service: "cc", knobs: knobs))
        #expect(fragment.problems.isEmpty, "\(fragment.problems)")
        #expect(fragment.credentialType == .localClient)
        #expect(fragment.value(of: "client_id") == .string("cc-client"))
        #expect(fragment.entries.first { $0.key == "client_id" }?.source == "client_credmon_cc_CLIENT_ID")
        #expect(fragment.value(of: "discovery_cache") == .integer(600))
        #expect(fragment.value(of: "scopes") == .string("read:/user/{username}"))
        #expect(fragment.value(of: "audience") == .list(["https://a.example.org", "https://b.example.org"]))
        #expect(fragment.value(of: "profile") == .string("wlcg"))
        #expect(fragment.value(of: "lifetime_fallback") == .integer(300))
        #expect(fragment.value(of: "use_json") == .boolean(false), "a per-provider false is false (contract §F.1-9)")
        #expect(fragment.value(of: "issuer") == nil, "TOKEN_URL is set: no discovery")
    }

    @Test("ISSUER defaults to https://$(FULL_HOSTNAME); ClassAd and group scope knobs are refused by name")
    func knobDefaultsAndProblems() throws {
        let knobs = CondorKnobs(values: [
            "CLIENT_CREDMON_CLIENT_ID": "c", "CLIENT_CREDMON_CLIENT_SECRET_FILE": "/s", "FULL_HOSTNAME": "ap.example.org",
            "CLIENT_CREDMON_AUTHZ_TEMPLATE_EXPR": "strcat(\"read:/\", Username)", "CLIENT_CREDMON_TOKEN_USE_JSON": "yes",
        ], origin: "test")
        let fragment = try #require(ClientCredentialsKind.knobFragment(service: "cc", knobs: knobs))
        #expect(fragment.value(of: "issuer") == .string("https://ap.example.org"))
        #expect(Set(fragment.problems.compactMap(\.key)) == ["CLIENT_CREDMON_AUTHZ_TEMPLATE_EXPR", "CLIENT_CREDMON_TOKEN_USE_JSON"])
    }

    @Test("a missing CLIENT_ID is an error naming the knobs that would set it")
    func missingKnob() throws {
        let fixture = try ClientCredentialsFixture()
        let knobs = CondorKnobs(values: ["CLIENT_CREDMON_CLIENT_SECRET_FILE": fixture.secretFile, "CLIENT_CREDMON_TOKEN_URL": fixture.tokenURL], origin: "test")
        let fragment = try #require(ClientCredentialsKind.knobFragment(service: "cc", knobs: knobs))
        guard case .failure(let errors) = fragment.makeEntry(catalog: try KindCatalog([ClientCredentialsKind.self]), context: fixture.context, origin: "test") else {
            Issue.record("built without a client id")
            return
        }
        #expect(errors.errors.contains { $0.key == "CLIENT_CREDMON_cc_CLIENT_ID or CLIENT_CREDMON_CLIENT_ID" }, "\(errors)")
    }
}
