import CredmonHost
import CondorConfig
import CredmonTestKit
import Engine
import Foundation
import Testing

/// What HTCondor's credmon accepts from its knobs, Credmon accepts too (issue 14): a local issuer condor_credd routes
/// submits to always mints; unusual values are warned about, unusable ones dropped with an error naming the knob.
/// Fragments stay strict. Knob-only OAuth services never revoke by default and match their names in any case.
@Suite("Accepting what HTCondor accepts")
struct HTCondorAcceptanceTests {
    /// The knobs of one local issuer `scitokens` with `extra` set, and nothing else that routes services.
    func knobs(_ extra: [String: String]) -> CondorKnobs {
        CondorKnobs(values: ["LOCAL_CREDMON_TOKEN_AUDIENCE": "https://storage.example.org", "VAULT_CREDMON_PROVIDER_NAMES": "none-here"]
                        .merging(extra) { $1 }, origin: "test")
    }

    func reports(_ effective: EffectiveProviders, knob: String) -> [ConfigurationError] {
        effective.errors.filter { $0.key == knob }
    }

    @Test("a boolean HTCondor cannot read takes its default with a warning naming the knob; the issuer is served")
    func unreadableBoolean() throws {
        let keys = try TemporaryDirectory()
        let effective = try CondorFixtures.effective(knobs(["LOCAL_CREDMON_TOKEN_USE_JSON": "yes"]), keys: keys)
        #expect(CondorFixtures.setting(effective.table, "scitokens", "use_json") == "true")
        let report = try #require(reports(effective, knob: "LOCAL_CREDMON_TOKEN_USE_JSON").first)
        #expect(report.isWarning)
        #expect(report.description.contains("'yes'") && report.description.contains("default, true"), "\(report)")
        #expect(effective.failedFiles.isEmpty)
    }

    @Test("a lifetime above a day and a non-https issuer are served as written, each with a warning saying who refuses what")
    func unusualButServed() throws {
        let keys = try TemporaryDirectory()
        let effective = try CondorFixtures.effective(knobs([
            "LOCAL_CREDMON_TOKEN_LIFETIME": "172800", "LOCAL_CREDMON_ISSUER": "http://ap.example.org:8080",
        ]), keys: keys)
        #expect(CondorFixtures.setting(effective.table, "scitokens", "lifetime") == "172800s")
        #expect(CondorFixtures.setting(effective.table, "scitokens", "issuer") == "http://ap.example.org:8080")
        let lifetime = try #require(reports(effective, knob: "LOCAL_CREDMON_TOKEN_LIFETIME").first)
        #expect(lifetime.isWarning && lifetime.problem.contains("more than a day"), "\(lifetime)")
        let issuer = try #require(reports(effective, knob: "LOCAL_CREDMON_ISSUER").first)
        #expect(issuer.isWarning && issuer.problem.contains("scitokens-cpp"), "\(issuer)")
        #expect(effective.errors.filter { !$0.isWarning }.isEmpty, "\(effective.errors)")
    }

    @Test("scitoken:2.0 without TOKEN_AUDIENCE stays an error, as in HTCondor (which mints no token: 'No aud claim')")
    func noAudience() throws {
        let keys = try TemporaryDirectory()
        let knobs = CondorKnobs(values: ["VAULT_CREDMON_PROVIDER_NAMES": "none-here"], origin: "test")
        let effective = try CondorFixtures.effective(knobs, keys: keys)
        #expect(effective.table.entries["scitokens"] == nil)
        let error = try #require(effective.errors.first { $0.key == "LOCAL_CREDMON_scitokens_TOKEN_AUDIENCE or LOCAL_CREDMON_TOKEN_AUDIENCE" }, "\(effective.errors)")
        #expect(!error.isWarning && error.problem.contains("scitoken:2.0"))
    }

    @Test("malformed optional knobs are dropped, each with an error naming it; the issuer still mints with the defaults")
    func malformedDropped() throws {
        let keys = try TemporaryDirectory()
        let effective = try CondorFixtures.effective(knobs([
            "LOCAL_CREDMON_TOKEN_LIFETIME": "twenty minutes", "LOCAL_CREDMON_TOKEN_VERSION": "scitoken:9",
            "LOCAL_CREDMON_KEY_ID": "my key", "LOCAL_CREDMON_AUTHZ_TEMPLATE": "read:/data/{group}",
            "LOCAL_CREDMON_PRIVATE_KEY_ALGORITHM": "HS256",
        ]), keys: keys)
        let table = effective.table
        #expect(CondorFixtures.setting(table, "scitokens", "lifetime") == "1200s")
        #expect(CondorFixtures.setting(table, "scitokens", "profile") == "scitoken:2.0")
        #expect(CondorFixtures.setting(table, "scitokens", "key_id") == "local")
        #expect(CondorFixtures.setting(table, "scitokens", "scopes") == "read:/user/{username} write:/user/{username}")
        #expect(CondorFixtures.setting(table, "scitokens", "algorithm") == "ES256")
        for knob in ["LOCAL_CREDMON_TOKEN_LIFETIME", "LOCAL_CREDMON_TOKEN_VERSION", "LOCAL_CREDMON_KEY_ID",
                     "LOCAL_CREDMON_AUTHZ_TEMPLATE", "LOCAL_CREDMON_PRIVATE_KEY_ALGORITHM"] {
            let error = reports(effective, knob: knob).first
            #expect(error?.severity == .error, "\(knob): \(effective.errors)")
            #expect(error?.fix?.contains("ignores it") == true, "\(knob): \(String(describing: error))")
        }
        #expect(effective.failedFiles.isEmpty)
    }

    @Test("AUTHZ_TEMPLATE_EXPR becomes scopes_expression; one outside the evaluated subset is dropped with an error naming the function")
    func templateExpression() throws {
        let keys = try TemporaryDirectory()
        let good = try CondorFixtures.effective(knobs(["LOCAL_CREDMON_AUTHZ_TEMPLATE_EXPR": #"strcat("read:/home/", toLower(Username))"#]), keys: keys)
        #expect(CondorFixtures.setting(good.table, "scitokens", "scopes_expression") == #"strcat("read:/home/", toLower(Username))"#, "\(good.errors)")
        #expect(good.errors.isEmpty, "\(good.errors)")

        let bad = try CondorFixtures.effective(knobs(["LOCAL_CREDMON_AUTHZ_TEMPLATE_EXPR": #"splitUserName(Username)[0]"#]), keys: keys)
        #expect(bad.table.entries["scitokens"] != nil, "the issuer still mints")
        #expect(CondorFixtures.setting(bad.table, "scitokens", "scopes_expression") == nil)
        let error = try #require(reports(bad, knob: "LOCAL_CREDMON_AUTHZ_TEMPLATE_EXPR").first, "\(bad.errors)")
        #expect(!error.isWarning && error.problem.contains("splitUserName"), "\(error)")
    }

    @Test("a signing key that cannot be read still rejects the issuer: another key must never sign in its place")
    func keyNeverDropped() throws {
        let keys = try TemporaryDirectory()
        let bad = try keys.write("bad-private.pem", "not a key\n")
        let effective = try CondorFixtures.effective(knobs(["LOCAL_CREDMON_PRIVATE_KEY": bad]), keys: keys)
        #expect(effective.table.entries["scitokens"] == nil)
        #expect(effective.errors.contains { !$0.isWarning && $0.key == "LOCAL_CREDMON_PRIVATE_KEY" }, "\(effective.errors)")
    }

    @Test("fragments stay strict: a lifetime above a day and a non-https issuer are errors there")
    func fragmentsStayStrict() throws {
        let directory = try TemporaryDirectory()
        try directory.write("providers.d/scitokens.yaml", """
        kind: local-scitoken
        audience: ["https://storage.example.org"]
        lifetime: 172800
        issuer: http://ap.example.org
        """)
        let effective = try CondorFixtures.effective(knobs([:]), providers: directory.file("providers.d"), keys: directory)
        #expect(effective.table.entries["scitokens"] == nil)
        #expect(effective.errors.filter { !$0.isWarning }.compactMap(\.key).sorted() == ["issuer", "lifetime"], "\(effective.errors)")
    }

    @Test("knob-only OAuth services do not revoke on removal; a fragment does where the provider revokes one grant, Dropbox not")
    func revocationDefaults() throws {
        let directory = try TemporaryDirectory()
        var values = ["BOX_CLIENT_ID": "box-id", "DROPBOX_CLIENT_ID": "dropbox-id",
                      "VAULT_CREDMON_PROVIDER_NAMES": "none-here", "LOCAL_CREDMON_TOKEN_AUDIENCE": "ANY"]
        for service in ["box", "dropbox"] {
            values["\(service.uppercased())_CLIENT_SECRET_FILE"] = try CondorFixtures.secretFile(in: directory, service)
        }
        let fromKnobs = try CondorFixtures.effective(CondorKnobs(values: values, origin: "test"), keys: directory)
        #expect(fromKnobs.table.provider(for: "box")?.profile.traits.revokesOnRemoval == false, "\(fromKnobs.errors)")
        #expect(fromKnobs.table.provider(for: "dropbox")?.profile.traits.revokesOnRemoval == false)

        let secret = try CondorFixtures.secretFile(in: directory, "fragment")
        try directory.write("providers.d/box.yaml", "kind: box\nclient_id: box-id\nclient_secret_file: \(secret)\n")
        try directory.write("providers.d/dropbox.yaml", "kind: dropbox\nclient_id: dropbox-id\nclient_secret_file: \(secret)\n")
        let fragments = try CondorFixtures.effective(nil, providers: directory.file("providers.d"), keys: directory)
        #expect(fragments.table.provider(for: "box")?.profile.traits.revokesOnRemoval == true, "\(fragments.errors)")
        #expect(fragments.table.provider(for: "dropbox")?.profile.traits.revokesOnRemoval == false)
    }

    @Test("a service configured by <S>_CLIENT_ID is served in any case (Box.top), list names only exactly, as condor_credd sorts them")
    func caseInsensitiveServices() throws {
        let directory = try TemporaryDirectory()
        let values = ["Box_CLIENT_ID": "box-id", "BOX_CLIENT_SECRET_FILE": try CondorFixtures.secretFile(in: directory, "box"),
                      "LOCAL_CREDMON_PROVIDER_NAMES": "Chemistry", "VAULT_CREDMON_PROVIDER_NAMES": "none-here",
                      "LOCAL_CREDMON_TOKEN_AUDIENCE": "ANY"]
        let knobs = CondorKnobs(values: values, origin: "test")
        let effective = try CondorFixtures.effective(knobs, keys: directory)
        for spelling in ["box", "Box", "BOX"] {
            #expect(effective.table.provider(for: spelling)?.profile.name == "box", "\(spelling): \(effective.errors)")
            #expect(CredSorter(knobs: knobs).sort(spelling) == .oauth2)
        }
        #expect(effective.table.provider(for: "Chemistry") != nil)
        #expect(effective.table.provider(for: "chemistry") == nil)
        #expect(CredSorter(knobs: knobs).sort("chemistry") == .unknown)
    }
}
