import CredmonTestKit
import Foundation
import Glibc
import OAuthTestServer
import Testing

/// Configurations HTCondor's credmon serves, served the same by the real binary started with no flags under the test
/// condor_config_val (issue 14): a local issuer's unusual knobs, `Box.top` for `BOX_CLIENT_ID`, no revocation
/// when condor_credd sweeps a knob-only service's credentials.
@Suite("Drop-in fidelity: knobs as HTCondor reads them", .serialized)
struct KnobFidelityTests {
    func writeConfig(_ site: TemporarySite, _ text: String) throws -> String {
        let config = site.url.appendingPathComponent("condor_config").path
        try ("LOG = /var/log/condor\nuse feature : OAUTH\n" + text).write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    @Test("a local issuer with TOKEN_USE_JSON = yes, a two-day lifetime, an http issuer and a malformed KEY_ID mints, as HTCondor's does; the log and check name each knob")
    func lenientLocalIssuer() throws {
        let site = try TemporarySite("lenient-issuer")
        let condor = try CondorHarness(label: "lenient-issuer", fixture: "multi-issuer", configFile: try writeConfig(site, """
        LOCAL_CREDMON_TOKEN_AUDIENCE = https://storage.example.org
        LOCAL_CREDMON_TOKEN_USE_JSON = yes
        LOCAL_CREDMON_TOKEN_LIFETIME = 172800
        LOCAL_CREDMON_ISSUER = http://ap.example.org
        LOCAL_CREDMON_KEY_ID = my key
        """))
        defer { _ = condor.stopDaemon() }
        try condor.storeLocalCredential(user: "alice", token: "scitokens")
        try condor.startDaemon()
        #expect(eventually(timeout: 30) { condor.contents("alice/scitokens.use") != nil }, "\(condor.log)")

        let use = try #require(condor.contents("alice/scitokens.use"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(use.utf8)) as? [String: Any], "TOKEN_USE_JSON's default, true: \(use)")
        let token = try #require(object["access_token"] as? String)
        let payload = try #require(claims(ofJWT: token))
        #expect(payload["iss"] as? String == "http://ap.example.org")
        #expect((payload["exp"] as? Int).flatMap { exp in (payload["iat"] as? Int).map { exp - $0 } } == 172_800)
        let header = try #require(headerOfJWT(token))
        #expect(header["kid"] as? String == "local", "the malformed KEY_ID is dropped for HTCondor's default")

        let log = condor.log
        for knob in ["LOCAL_CREDMON_TOKEN_USE_JSON", "LOCAL_CREDMON_TOKEN_LIFETIME", "LOCAL_CREDMON_ISSUER", "LOCAL_CREDMON_KEY_ID"] {
            #expect(log.contains(knob), "the log names \(knob): \(log)")
        }
        let check = try condor.credmon(["check"])
        #expect(check.status != 0, "a dropped knob is an error for check: \(check.output)")
        #expect(check.output.contains("LOCAL_CREDMON_KEY_ID") && check.output.contains("ignores it"), "\(check.output)")
        #expect(check.output.contains("warning: 'yes' is not a boolean"), "\(check.output)")
        #expect(condor.stopDaemon() == 0)
    }

    @Test("AUTHZ_TEMPLATE_EXPR is evaluated per user, as HTCondor does: a string result is appended to the template's scopes")
    func templateExpression() throws {
        let site = try TemporarySite("template-expr")
        let condor = try CondorHarness(label: "template-expr", fixture: "multi-issuer", configFile: try writeConfig(site, """
        LOCAL_CREDMON_TOKEN_AUDIENCE = https://storage.example.org
        LOCAL_CREDMON_AUTHZ_TEMPLATE = read:/user/{username}
        LOCAL_CREDMON_AUTHZ_TEMPLATE_EXPR = ifThenElse(regexp("^adm", Username), strcat("write:/admin/", toUpper(Username)), undefined)
        """))
        defer { _ = condor.stopDaemon() }
        try condor.storeLocalCredential(user: "admalice", token: "scitokens")
        try condor.storeLocalCredential(user: "bob", token: "scitokens")
        try condor.startDaemon()
        #expect(eventually(timeout: 30) { condor.contents("admalice/scitokens.use") != nil && condor.contents("bob/scitokens.use") != nil }, "\(condor.log)")
        func scope(_ user: String) throws -> String? {
            let use = try #require(condor.contents("\(user)/scitokens.use"))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(use.utf8)) as? [String: Any])
            return (object["access_token"] as? String).flatMap { claims(ofJWT: $0)?["scope"] as? String }
        }
        #expect(try scope("admalice") == "read:/user/admalice write:/admin/ADMALICE")
        #expect(try scope("bob") == "read:/user/bob")
        #expect(condor.stopDaemon() == 0)
    }

    @Test("Box.top is refreshed for Box_CLIENT_ID (names are case-insensitive), and condor_credd's sweep of a knob-only service revokes nothing")
    func caseInsensitiveAndNoRevocation() throws {
        let client = (id: "ap-box", secret: "box-secret-51d7a2")
        let server = try OAuthServer(configuration: .init(clients: [OAuthServer.Client(id: client.id, secret: client.secret)]))
        defer { server.stop() }
        let site = try TemporarySite("box-case")
        let secretFile = site.url.appendingPathComponent("box.secret").path
        _ = FileManager.default.createFile(atPath: secretFile, contents: Data("\(client.secret)\n".utf8), attributes: [.posixPermissions: 0o600])
        let condor = try CondorHarness(label: "box-case", fixture: "multi-issuer", configFile: try writeConfig(site, """
        LOCAL_CREDMON_TOKEN_AUDIENCE = https://storage.example.org
        Box_CLIENT_ID = \(client.id)
        BOX_CLIENT_SECRET_FILE = \(secretFile)
        box_TOKEN_URL = \(server.url("/token").absoluteString)
        BOX_AUTHORIZATION_URL = \(server.url("/authorize").absoluteString)
        """))
        defer { _ = condor.stopDaemon() }
        let grant = server.issueGrant(clientID: client.id, scope: "read", subject: "alice")
        try storeWebLogin(condor, user: "alice", token: "Box", refreshToken: grant.refreshToken, tokenURL: server.url("/token").absoluteString)
        try condor.startDaemon()

        #expect(eventually(timeout: 30) { server.requests(to: "/token").contains { $0.status == 200 } }, "\(condor.log)")
        #expect(eventually(timeout: 30) { condor.contents("alice/Box.use")?.contains("at-expired") == false }, "\(condor.log)")

        // condor_credd's sweep: the user's directory goes.
        try FileManager.default.removeItem(at: condor.credentialDirectory.appendingPathComponent("alice"))
        #expect(eventually(timeout: 30) { condor.log.contains("Credential removed") }, "\(condor.log)")
        #expect(condor.stopDaemon() == 0)
        #expect(server.requests(to: "/revoke").isEmpty, "HTCondor's credmon never revokes; a knob-only service does not either")
    }

    /// Writes `.use`, `.top` and `.meta` as HTCondor's web app does after a login (0400, renamed into place), with an
    /// access token that has already expired so the daemon refreshes at once.
    func storeWebLogin(_ condor: CondorHarness, user: String, token: String, refreshToken: String, tokenURL: String) throws {
        let directory = condor.credentialDirectory.appendingPathComponent(user)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let past = Int(Date().timeIntervalSince1970) - 60
        let files = [
            ("\(token).use", #"{"access_token": "at-expired", "token_type": "Bearer", "expires_in": 1, "expires_at": \#(past)}"#),
            ("\(token).top", #"{"refresh_token": "\#(refreshToken)", "scopes": "read"}"#),
            ("\(token).meta", #"{"client_id": "ap-box", "token_url": "\#(tokenURL)", "use_refresh_token": true}"#),
        ]
        for (name, text) in files {
            let temporary = directory.appendingPathComponent("tmp\(UUID().uuidString.prefix(8))")
            try Data(text.utf8).write(to: temporary)
            chmod(temporary.path, 0o400)
            guard rename(temporary.path, directory.appendingPathComponent(name).path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        }
    }
}

/// The header of a compact JWS.
func headerOfJWT(_ token: String) -> [String: Any]? {
    guard let first = token.split(separator: ".").first else { return nil }
    var base64 = first.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    guard let data = Data(base64Encoded: base64) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}
