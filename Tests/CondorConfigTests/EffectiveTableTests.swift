import CredmonHost
import CondorConfig
import CredmonTestKit
import Engine
import Foundation
import Testing

@Suite("Effective provider table and import-condor-config", .serialized)
struct EffectiveTableTests {
    @Test("a providers.d fragment wins over the knobs for the same service, and says so")
    func fragmentWins() throws {
        let directory = try TemporaryDirectory()
        try directory.write("providers.d/scitokens.yaml", """
        kind: local-scitoken
        audience: ["https://fragment.example.org"]
        """)
        let knobs = try CondorFixtures.knobs("multi-issuer")
        let effective = try CondorFixtures.effective(knobs, providers: directory.file("providers.d"), keys: directory)
        #expect(effective.errors.isEmpty, "\(effective.errors)")
        #expect(CondorFixtures.setting(effective.table, "scitokens", "audience") == "https://fragment.example.org")
        #expect(effective.table.entries["scitokens"]?.file.hasSuffix("providers.d/scitokens.yaml") == true)
        #expect(CondorFixtures.setting(effective.table, "wlcg", "profile") == "wlcg:1.0")  // still from the knobs
        #expect(effective.overridden.map(\.service) == ["scitokens"])
        let findings = CondorCrossCheck(knobs: knobs, effective: effective, credentialDirectory: directory.path, catalog: HostCatalog.catalog).findings()
        #expect(findings.contains { $0.severity == .note && $0.service == "scitokens" && $0.message.contains("wins") })
    }

    @Test("a local fragment for a service condor_credd does not know as a local issuer is an error")
    func unroutedFragment() throws {
        let directory = try TemporaryDirectory()
        try directory.write("providers.d/physics.yaml", "kind: local-scitoken\naudience: ANY\n")
        let knobs = try CondorFixtures.knobs("multi-issuer")
        let effective = try CondorFixtures.effective(knobs, providers: directory.file("providers.d"), keys: directory)
        let findings = CondorCrossCheck(knobs: knobs, effective: effective, credentialDirectory: directory.path, catalog: HostCatalog.catalog).findings()
        let finding = try #require(findings.first { $0.service == "physics" })
        #expect(finding.severity == .error)
        #expect(finding.fix?.contains("LOCAL_CREDMON_PROVIDER_NAMES") == true)
    }

    @Test("an OAuth service without a client secret file is an error", arguments: ["BOX_CLIENT_SECRET_FILE"])
    func missingSecret(knob: String) throws {
        let knobs = CondorKnobs(values: ["BOX_CLIENT_ID": "id", "BOX_RETURN_URL_SUFFIX": "/return/box", "LOCAL_CREDMON_TOKEN_AUDIENCE": "ANY"], origin: "test")
        let keys = try TemporaryDirectory()
        let effective = try CondorFixtures.effective(knobs, keys: keys)
        let findings = CondorCrossCheck(knobs: knobs, effective: effective, credentialDirectory: keys.path, catalog: HostCatalog.catalog).findings()
        #expect(findings.contains { $0.severity == .error && $0.service == "box" && $0.message.contains(knob) })
    }

    @Test("import-condor-config round trip: the written fragments alone give the same table as the knobs",
          arguments: ["multi-issuer", "htcondor-example", "vault-oauth-mix"])
    func roundTrip(fixture: String) throws {
        let directory = try TemporaryDirectory()
        var overrides = try ["box", "gdrive", "cilogon"].reduce(into: [String: String]()) {
            $0["\($1.uppercased())_CLIENT_SECRET_FILE"] = try CondorFixtures.secretFile(in: directory, $1)
        }
        overrides["CLIENT_CREDMON_CLIENT_SECRET_FILE"] = try CondorFixtures.secretFile(in: directory, "robot")
        let knobs = try CondorFixtures.knobs(fixture, overrides: overrides)
        let fromKnobs = try CondorFixtures.effective(knobs, keys: directory)
        #expect(fromKnobs.errors.isEmpty, "\(fromKnobs.errors)")

        let translation = KnobTranslator(knobs: knobs, catalog: HostCatalog.catalog).translate()
        for fragment in translation.fragments {
            try directory.write("imported/\(fragment.service).yaml", fragment.yamlText(origin: knobs.origin))
        }
        let fromFragments = try CondorFixtures.effective(nil, providers: directory.file("imported"), keys: directory)
        #expect(fromFragments.errors.isEmpty, "\(fromFragments.errors)")
        #expect(CondorFixtures.summary(fromFragments.table) == CondorFixtures.summary(fromKnobs.table))
        #expect(!fromFragments.table.names.isEmpty)
        let text = try String(contentsOfFile: directory.file("imported/scitokens.yaml"), encoding: .utf8)
        #expect(text.contains("# from "))
    }

    @Test("imported values with quotes, backslashes and non-ASCII survive the YAML round trip")
    func quotingRoundTrip() throws {
        let directory = try TemporaryDirectory()
        let odd = #"ph"ys\ics é"#
        let knobs = CondorKnobs(values: ["LOCAL_CREDMON_TOKEN_AUDIENCE": "ANY", "LOCAL_CREDMON_AUTHZ_GROUP_MAPFILE": "/etc/condor/groups.map",
                                         "LOCAL_CREDMON_AUTHZ_GROUP_REQUIREMENT": odd], origin: "test")
        let fragment = try #require(KnobTranslator(knobs: knobs, catalog: HostCatalog.catalog).translate().fragments.first)
        try directory.write("imported/\(fragment.service).yaml", fragment.yamlText(origin: "test"))
        let loaded = try CondorFixtures.effective(nil, providers: directory.file("imported"), keys: directory)
        #expect(loaded.errors.isEmpty, "\(loaded.errors)")
        #expect(CondorFixtures.setting(loaded.table, "scitokens", "group_requirement") == odd)
    }
}
