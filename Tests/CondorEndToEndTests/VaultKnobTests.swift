import CredmonTestKit
import Foundation
import Testing

/// A Vault site that only has HTCondor's knobs, as `condor_credmon_vault` reads them: the real binary with no flags,
/// the test condor_config_val, a real OpenBao server on HTCondor's port 8200 over TLS.
@Suite("Drop-in for condor_credmon_vault", .serialized)
struct VaultKnobTests {
    @Test("knobs only: VAULT_CREDMON_PROVIDER_NAMES unset is '*', AUTH_SSL_CLIENT_CAFILE is the trust, TRUSTED_VAULT_HOSTS is enforced, local issuers are left alone")
    func knobOnlyWildcard() throws {
        let bao = try OpenBaoServer(label: "knobs", port: 8200)
        defer { bao.stop() }
        let site = FileManager.default.temporaryDirectory.appendingPathComponent("credmon-vault-knobs-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: site) }
        let config = site.appendingPathComponent("condor_config").path
        try """
        LOG = /var/log/condor
        use feature : OAUTH
        SEC_CREDENTIAL_STORER = /usr/bin/condor_credential_storer
        AUTH_SSL_CLIENT_CAFILE = \(bao.caFile)
        TRUSTED_VAULT_HOSTS = 127.0.0.1
        CREDMON_OAUTH_TOKEN_MINIMUM = 3600
        LOCAL_CREDMON_TOKEN_AUDIENCE = https://storage.example.org
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let condor = try CondorHarness(label: "vault-knobs", fixture: "htcondor-example", configFile: config)
        defer { _ = condor.stopDaemon() }

        let token = try bao.token()
        let access = Self.jwt(exp: Int(Date().timeIntervalSince1970) + 7200)
        try bao.put("oauth/creds/fermilab/alice:default", accessToken: access)
        try condor.storeVaultCredential(user: "alice", token: "fermilab", ["vault_token": token, "vault_url": bao.url("oauth/creds/fermilab/alice:default")])
        // The same server by another name: not in TRUSTED_VAULT_HOSTS.
        try condor.storeVaultCredential(user: "alice", token: "dune", ["vault_token": token,
            "vault_url": bao.url("oauth/creds/fermilab/alice:default").replacingOccurrences(of: "127.0.0.1", with: "localhost")])
        try condor.storeLocalCredential(user: "alice", token: "scitokens")

        let check = try condor.credmon(["check"])
        #expect(check.output.contains("Credmon provider of kind vault") || check.output.contains("kind vault"), "\(check.output)")
        #expect(check.output.components(separatedBy: "read as a Vault credential").count == 2, "the wildcard's note, once: \(check.output)")
        let imported = condor.root.appendingPathComponent("imported").path
        let written = try condor.credmon(["import-condor-config", "--out", imported])
        #expect(written.status == 0, "\(written.output)")
        let wildcard = try String(contentsOfFile: imported + "/vault-wildcard.yaml", encoding: .utf8)
        #expect(wildcard.contains("name: \"*\"") && wildcard.contains("kind: vault"), "\(wildcard)")
        #expect(wildcard.contains("trusted_hosts: [\"127.0.0.1\"]") && wildcard.contains("ca_file: \"\(bao.caFile)\""), "\(wildcard)")
        #expect(wildcard.contains("minimum_seconds: 3600"), "\(wildcard)")
        try condor.startDaemon()
        #expect(eventually(timeout: 30) { condor.contents("alice/fermilab.use") == access + "\n" }, "\(condor.log)")
        #expect(eventually(timeout: 30) { condor.contents("alice/scitokens.use")?.contains("access_token") == true },
                "the local issuer, not the Vault wildcard, serves scitokens: \(condor.log)")
        #expect(eventually(timeout: 10) { condor.log.contains("not in trusted_hosts") }, "\(condor.log)")
        #expect(condor.contents("alice/dune.use") == nil, "no token for an untrusted host")
        #expect(condor.contents("alice/dune.top") != nil, "an untrusted URL is refused, not discarded")
        #expect(!condor.log.contains(token), "the Vault token is never logged")
        #expect(condor.stopDaemon() == 0)
    }

    static func jwt(exp: Int) -> String {
        func b64(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        return b64(#"{"alg":"ES256","typ":"JWT"}"#) + "." + b64(#"{"sub":"alice","exp":\#(exp)}"#) + ".c2lnbmF0dXJl"
    }
}
