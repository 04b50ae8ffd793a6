import CredmonHost
import CondorConfig
import CredmonTestKit
import Engine
import Foundation
import Testing

/// Real-world configurations read by HTCondor's own parser: Credmon must derive the cred dir, log, provider table and
/// routing HTCondor would (contract §B.1.1, §A.2.1, §C.0.2–C.0.3, §E).
@Suite("Real HTCondor configurations", .serialized)
struct RealConfigurationTests {
    @Test("the seed README's setup: legacy SEC_CREDENTIAL_DIRECTORY, computed log, one local issuer missing its audience")
    func seedReadme() throws {
        let knobs = try CondorFixtures.knobs("seed-readme")
        #expect(knobs.credentialDirectory == "/var/lib/condor/credentials")
        #expect(knobs.logFile == "/var/log/condor/CredmonOauthLog")  // SEC_CREDENTIAL_MONITOR_LOG is the early credmon's
        let sorter = CredSorter(knobs: knobs)
        #expect(sorter.namedServices.map(\.service) == ["scitokens"])
        #expect(sorter.sort("scitokens") == .localIssuer)
        #expect(sorter.sort("box") == .unknown)

        let keys = try TemporaryDirectory()
        let effective = try CondorFixtures.effective(knobs, keys: keys)
        #expect(effective.table.names == ["*"], "VAULT_CREDMON_PROVIDER_NAMES unset is HTCondor's '*'")
        #expect(effective.table.provider(for: "igwn")?.profile.kind == "vault")
        #expect(effective.table.provider(for: "scitokens") == nil, "the Vault wildcard leaves credd's local issuer alone")
        let error = try #require(effective.errors.first { $0.key?.contains("TOKEN_AUDIENCE") == true })
        #expect(error.description.contains("scitoken:2.0"))
        #expect(error.file.contains("service 'scitokens'"))
        let fragment = try #require(effective.translation?.fragments.first)
        #expect(fragment.value(of: "key_id") == .string("key-es356"))
        #expect(fragment.value(of: "private_key") == .string("/etc/condor/scitokens-private.pem"))
        #expect(fragment.value(of: "issuer") == .string("https://\(try CondorFixtures.fullHostname())"))
        let findings = CondorCrossCheck(knobs: knobs, effective: effective, credentialDirectory: keys.path, catalog: HostCatalog.catalog).findings()
        #expect(findings.contains { $0.severity == .error && $0.service == "scitokens" && $0.message.contains("no provider") })
    }

    @Test("HTCondor's example 40-oauth-credmon.conf + 40-oauth-tokens.conf: use feature:OAUTH, Box and Google Drive")
    func htcondorExample() throws {
        let secrets = try TemporaryDirectory()
        let box = try CondorFixtures.secretFile(in: secrets, "box"), gdrive = try CondorFixtures.secretFile(in: secrets, "gdrive")
        let knobs = try CondorFixtures.knobs("htcondor-example", overrides: ["BOX_CLIENT_SECRET_FILE": box, "GDRIVE_CLIENT_SECRET_FILE": gdrive])
        let host = try CondorFixtures.fullHostname()
        #expect(knobs.credentialDirectory == "/var/lib/condor/oauth_credentials")  // from the OAUTH metaknob
        #expect(knobs.logFile == "/var/log/condor/CredMonOAuthLog")  // the metaknob's CREDMON_OAUTH_LOG
        #expect(knobs.webPrefix == "https://\(host)/credmon")
        let sorter = CredSorter(knobs: knobs)
        #expect(sorter.sort("scitokens") == .localIssuer)
        #expect(sorter.sort("box") == .oauth2)
        #expect(sorter.sort("gdrive") == .oauth2)
        #expect(sorter.sort("onedrive") == .unknown)  // built-in URLs, but no client id

        let effective = try CondorFixtures.effective(knobs, keys: secrets)
        #expect(effective.errors.isEmpty, "\(effective.errors)")
        #expect(effective.table.names == ["*", "box", "gdrive", "scitokens"])
        #expect(effective.table.provider(for: "onedrive")?.profile.kind == "vault", "unclaimed: the Vault wildcard's")
        #expect(effective.table.provider(for: "box")?.profile.kind == "box")
        #expect(effective.table.provider(for: "gdrive")?.profile.kind == "gdrive")
        #expect(CondorFixtures.setting(effective.table, "box", "client_id") == "box-application-client-id")
        #expect(CondorFixtures.setting(effective.table, "box", "token_url") == "https://api.box.com/oauth2/token")
        #expect(CondorFixtures.setting(effective.table, "scitokens", "audience") == "https://storage.example.org")  // the `if version` branch
        #expect(CondorFixtures.setting(effective.table, "scitokens", "issuer") == "https://\(host)")
        let findings = CondorCrossCheck(knobs: knobs, effective: effective, credentialDirectory: secrets.path, catalog: HostCatalog.catalog).findings()
        #expect(!findings.contains { $0.severity == .error && $0.service != nil }, "\(findings)")
    }

    @Test("a multi-issuer local setup: per-provider overrides, macros, an include, and a per-provider false that is false")
    func multiIssuer() throws {
        let knobs = try CondorFixtures.knobs("multi-issuer")
        #expect(knobs.credentialDirectory == "/var/lib/condor/tokens")
        #expect(knobs.logFile == "/var/log/condor/Credmon.log")
        let sorter = CredSorter(knobs: knobs)
        #expect(sorter.namedServices.map(\.service) == ["scitokens", "wlcg"])
        #expect(sorter.namedServices.allSatisfy { $0.type == .localIssuer })

        let keys = try TemporaryDirectory()
        let effective = try CondorFixtures.effective(knobs, keys: keys)
        #expect(effective.errors.isEmpty, "\(effective.errors)")
        let table = effective.table
        #expect(CondorFixtures.setting(table, "scitokens", "issuer") == "https://tokens.example.org")
        #expect(CondorFixtures.setting(table, "scitokens", "audience") == "https://storage.example.org https://backup.example.org")
        #expect(CondorFixtures.setting(table, "scitokens", "lifetime") == "1800s")
        #expect(CondorFixtures.setting(table, "scitokens", "use_json") == "true")
        #expect(CondorFixtures.setting(table, "scitokens", "public_key") == "/etc/condor/scitokens.pem")
        #expect(CondorFixtures.setting(table, "wlcg", "public_key") == "/etc/condor/wlcg.pem")  // beside its private key
        #expect(CondorFixtures.setting(table, "wlcg", "issuer") == "https://tokens.example.org/wlcg")
        #expect(CondorFixtures.setting(table, "wlcg", "use_json") == "false")
        #expect(CondorFixtures.setting(table, "wlcg", "profile") == "wlcg:1.0")
        #expect(CondorFixtures.setting(table, "wlcg", "key_id") == "wlcg-2026")
        #expect(CondorFixtures.setting(table, "wlcg", "lifetime") == "600s")
        #expect(CondorFixtures.setting(table, "wlcg", "scopes") == "storage.read:/home/{username} compute.create")
        #expect(CondorFixtures.setting(table, "wlcg", "private_key")?.hasPrefix("/etc/condor/wlcg-private.pem") == true)
    }

    @Test("a Vault + OAuth mix: explicit OAuth2 list, Vault and client services left to HTCondor, a redirect URL that cannot complete")
    func vaultOAuthMix() throws {
        let secrets = try TemporaryDirectory()
        let box = try CondorFixtures.secretFile(in: secrets, "box"), cilogon = try CondorFixtures.secretFile(in: secrets, "cilogon")
        let robot = try CondorFixtures.secretFile(in: secrets, "robot")
        let knobs = try CondorFixtures.knobs("vault-oauth-mix", overrides: ["BOX_CLIENT_SECRET_FILE": box, "CILOGON_CLIENT_SECRET_FILE": cilogon,
                                                                            "CLIENT_CREDMON_CLIENT_SECRET_FILE": robot])
        let sorter = CredSorter(knobs: knobs)
        let routing = Dictionary(uniqueKeysWithValues: sorter.namedServices.map { ($0.service, $0.type) })
        #expect(routing == ["scitokens": .localIssuer, "robot": .localClient, "box": .oauth2, "cilogon": .oauth2,
                            "dune": .vault, "fermilab": .vault])
        #expect(sorter.sort("dropbox") == .unknown)  // a client id, but not in the explicit OAuth2 list
        #expect(sorter.sort("other") == .unknown)  // Vault names are explicit, so no Vault wildcard
        #expect(knobs.vaultTokenMinimum == 3600 && knobs.vaultTokenRefresh == 1800)

        let effective = try CondorFixtures.effective(knobs, keys: secrets)
        #expect(effective.errors.isEmpty, "\(effective.errors)")
        #expect(effective.table.names == ["box", "cilogon", "dune", "fermilab", "robot", "scitokens"], "explicit Vault names: no wildcard")
        #expect(effective.table.provider(for: "robot")?.profile.kind == "client-credentials")
        #expect(CondorFixtures.setting(effective.table, "robot", "client_id") == "robot-id")
        #expect(effective.table.provider(for: "dune")?.profile.kind == "vault")
        #expect(effective.table.provider(for: "other") == nil)
        #expect(CondorFixtures.setting(effective.table, "dune", "minimum_seconds") == "3600")
        #expect(CondorFixtures.setting(effective.table, "dune", "refresh_interval") == "1800s")
        #expect(effective.table.provider(for: "cilogon")?.profile.kind == "cilogon")
        #expect(CondorFixtures.setting(effective.table, "box", "client_id") == "box-id")  // Box_Client_Id: names are case-insensitive
        #expect(effective.translation?.unserved.isEmpty == true, "every credential type condor_credd knows is served")
        let findings = CondorCrossCheck(knobs: knobs, effective: effective, credentialDirectory: secrets.path, catalog: HostCatalog.catalog).findings()
        #expect(findings.contains { $0.severity == .error && $0.service == "cilogon" && $0.message.contains("/return/cilogon") })
        #expect(!findings.contains { $0.service == "dune" && $0.severity != .note }, "\(findings)")
        #expect(!findings.contains { $0.severity == .error && $0.service == "box" })
    }
}
