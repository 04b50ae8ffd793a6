import Foundation
import Glibc
import Testing

/// The real `credmon` binary as condor_master runs it: no flags, HTCondor's configuration through condor_config_val.
@Suite("Drop-in for HTCondor", .serialized)
struct DropInTests {
    @Test("started with no flags, credmon finds the cred dir, log and both local issuers through HTCondor's configuration")
    func noFlagsMultiIssuer() throws {
        let condor = try CondorHarness(label: "noflags", fixture: "multi-issuer")
        condor.overrides["LOCAL_CREDMON_WLCG_PRIVATE_KEY"] = condor.root.appendingPathComponent("keys/wlcg-private.pem").path
        try condor.storeLocalCredential(user: "alice", token: "scitokens")
        try condor.storeLocalCredential(user: "alice", token: "wlcg")
        try condor.startDaemon()

        #expect(eventually(timeout: 30) { condor.contents("alice/scitokens.use") != nil && condor.contents("alice/wlcg.use") != nil })
        // CREDMON_OAUTH_LOG = $(LOG)/Credmon.log, with LOG moved by _CONDOR_LOG.
        let log = (try? String(contentsOf: condor.root.appendingPathComponent("log/Credmon.log"), encoding: .utf8)) ?? ""
        #expect(log.contains("Starting"), "log: \(log)")
        #expect(condor.stopDaemon() == 0)

        let json = try #require(condor.contents("alice/scitokens.use"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let accessToken = try #require(object["access_token"] as? String)
        let scitoken = try #require(claims(ofJWT: accessToken))
        #expect(scitoken["iss"] as? String == "https://tokens.example.org")
        #expect(scitoken["aud"] as? [String] == ["https://storage.example.org", "https://backup.example.org"])
        #expect(scitoken["ver"] as? String == "scitoken:2.0")
        #expect((scitoken["exp"] as? Int).flatMap { exp in (scitoken["iat"] as? Int).map { exp - $0 } } == 1800)

        // LOCAL_CREDMON_WLCG_TOKEN_USE_JSON = false: a bare token line (the Python credmon wrote JSON).
        let bare = try #require(condor.contents("alice/wlcg.use")).trimmingCharacters(in: .whitespacesAndNewlines)
        let wlcg = try #require(claims(ofJWT: bare))
        #expect(wlcg["iss"] as? String == "https://tokens.example.org/wlcg")
        #expect(wlcg["wlcg.ver"] as? String == "1.0")
        #expect(wlcg["scope"] as? String == "storage.read:/home/alice compute.create")
        #expect(FileManager.default.fileExists(atPath: condor.root.appendingPathComponent("keys/wlcg-private.pem").path))
    }

    @Test("credmon check with no flags shows credd's routing and the cross-check errors, and passes once they are fixed")
    func checkCrossChecks() throws {
        let condor = try CondorHarness(label: "check", fixture: "vault-oauth-mix")
        try condor.addSecret("box")
        try condor.addSecret("cilogon")
        try condor.addSecret("robot")
        condor.overrides["CLIENT_CREDMON_CLIENT_SECRET_FILE"] = condor.overrides.removeValue(forKey: "ROBOT_CLIENT_SECRET_FILE")
        let first = try condor.credmon(["check"])
        #expect(first.status == 1, "\(first.output)")
        #expect(first.output.contains("dune: Vault -> Credmon provider of kind vault"), "\(first.output)")
        #expect(first.output.contains("cilogon: OAuth2 -> Credmon provider of kind cilogon"), "\(first.output)")
        #expect(first.output.contains("does not end in /return/cilogon"), "\(first.output)")

        condor.overrides["CILOGON_RETURN_URL_SUFFIX"] = "/return/cilogon"
        let second = try condor.credmon(["check"])
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("OK: ") && second.output.contains(" providers"), "\(second.output)")
    }

    @Test("import-condor-config, then the knobs removed: the same provider table")
    func importRoundTrip() throws {
        let condor = try CondorHarness(label: "import", fixture: "multi-issuer")
        condor.overrides["LOCAL_CREDMON_WLCG_PRIVATE_KEY"] = condor.root.appendingPathComponent("keys/wlcg-private.pem").path
        let imported = condor.root.appendingPathComponent("imported").path
        let before = try condor.credmon(["check"])
        #expect(before.status == 0, "\(before.output)")
        let written = try condor.credmon(["import-condor-config", "--out", imported])
        #expect(written.status == 0, "\(written.output)")
        #expect(written.output.contains("scitokens.yaml") && written.output.contains("wlcg.yaml"))

        // The admin's configuration after the move: the provider lists stay (condor_credd routes by them), every
        // other provider knob is gone.
        let trimmed = condor.root.appendingPathComponent("condor_config.trimmed").path
        try """
        LOG = /var/log/condor
        use feature : OAUTH
        LOCAL_CREDMON_PROVIDER_NAMES = scitokens, wlcg
        """.write(toFile: trimmed, atomically: true, encoding: .utf8)
        let moved = try CondorHarness(label: "import-after", fixture: "multi-issuer", configFile: trimmed)
        moved.overrides = condor.overrides
        let after = try moved.credmon(["check", "--providers-dir", imported])
        #expect(after.status == 0, "\(after.output)")
        #expect(settings(after.output) == settings(before.output))
        #expect(settings(after.output).contains { $0.contains("profile") && $0.hasSuffix("wlcg:1.0") })
        #expect(settings(after.output).contains { $0.contains("public_key") && $0.hasSuffix("keys/wlcg.pem") })
    }

    /// The provider settings lines of `credmon check` (the lines naming where each provider came from differ).
    private func settings(_ output: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix("    ") && !$0.contains("->") }.map(String.init)
    }
}

@Suite("Drop-in for HTCondor: reconfiguration and refusals", .serialized)
struct ReconfigTests {
    @Test("SIGHUP re-reads HTCondor's configuration, as condor_reconfig expects: a new local issuer is served")
    func sighupRereadsKnobs() throws {
        let site = try TemporarySite("site")
        let config = site.url.appendingPathComponent("condor_config")
        func write(_ names: String) throws {
            try """
            LOG = /var/log/condor
            use feature : OAUTH
            LOCAL_CREDMON_PROVIDER_NAMES = \(names)
            LOCAL_CREDMON_TOKEN_AUDIENCE = https://storage.example.org
            """.write(to: config, atomically: true, encoding: .utf8)
        }
        try write("scitokens")
        let condor = try CondorHarness(label: "sighup", fixture: "multi-issuer", configFile: config.path)
        condor.overrides["LOCAL_CREDMON_PHYSICS_PRIVATE_KEY"] = condor.root.appendingPathComponent("keys/physics-private.pem").path
        try condor.startDaemon()
        try condor.storeLocalCredential(user: "bob", token: "physics")
        try condor.storeLocalCredential(user: "bob", token: "scitokens")
        #expect(eventually(timeout: 30) { condor.contents("bob/scitokens.use") != nil })
        #expect(condor.contents("bob/physics.use") == nil)  // not a service of this configuration

        try write("scitokens, physics")
        kill(try #require(condor.daemon).processIdentifier, SIGHUP)
        #expect(eventually(timeout: 30) { condor.contents("bob/physics.use") != nil })
        #expect(condor.stopDaemon() == 0)
        withExtendedLifetime(site) {}
    }

    @Test("condor_config_val present but no credential directory configured: the daemon refuses to start (no local mode under condor_master)")
    func refusesWithoutCredentialDirectory() throws {
        let site = try TemporarySite("bare")
        let config = site.url.appendingPathComponent("condor_config")
        try "LOG = \(site.url.path)\n".write(to: config, atomically: true, encoding: .utf8)
        let condor = try CondorHarness(label: "bare", fixture: "multi-issuer", configFile: config.path)
        condor.overrides = [:]
        let result = try condor.credmon(["run", "--once", "-l", "-"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("SEC_CREDENTIAL_DIRECTORY_OAUTH"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: condor.root.appendingPathComponent(".credmon").path))
        withExtendedLifetime(site) {}
    }
}

/// A temporary directory for a hand-written HTCondor configuration, removed when released.
final class TemporarySite {
    let url: URL
    init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("credmon-condor-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}
