import CredmonTestKit
import Foundation
import Glibc
import OAuthTestServer
import Testing

/// A site that only has HTCondor's knobs for its client-credentials service (`CLIENT_CREDMON_*`, contract §E.5) and
/// its Pelican service (`<S>_PELICAN_*`, §E.7): the real binary with no flags, the test condor_config_val, the
/// loopback authorization server as both services' token endpoint.
@Suite("Drop-in for HTCondor's client-credentials and Pelican credmons", .serialized)
struct ClientAndPelicanKnobTests {
    /// One client per service, so that each request shows which knobs it came from.
    static let robotClient = (id: "ap-robot", secret: "robot-secret-6a0e1b")
    static let osdfClient = (id: "ap-osdf", secret: "osdf-secret-93c4d7")

    /// The site's condor_config: the provider lists, each service's client, secret file and token URL as knobs.
    func writeSite(_ site: TemporarySite, tokenURL: String) throws -> String {
        var secrets: [String: String] = [:]
        for client in [Self.robotClient, Self.osdfClient] {
            let path = site.url.appendingPathComponent("\(client.id).secret").path
            FileManager.default.createFile(atPath: path, contents: Data("\(client.secret)\n".utf8), attributes: [.posixPermissions: 0o600])
            secrets[client.id] = path
        }
        let config = site.url.appendingPathComponent("condor_config").path
        try """
        LOG = /var/log/condor
        use feature : OAUTH
        LOCAL_CREDMON_TOKEN_AUDIENCE = https://storage.example.org
        CLIENT_CREDMON_PROVIDER_NAMES = robot
        CLIENT_CREDMON_CLIENT_ID = \(Self.robotClient.id)
        CLIENT_CREDMON_CLIENT_SECRET_FILE = \(secrets[Self.robotClient.id]!)
        CLIENT_CREDMON_TOKEN_URL = \(tokenURL)
        PELICAN_CREDMON_PROVIDER_NAMES = osdf
        OSDF_PELICAN_CLIENT_ID = \(Self.osdfClient.id)
        OSDF_PELICAN_CLIENT_SECRET_FILE = \(secrets[Self.osdfClient.id]!)
        OSDF_PELICAN_TOKEN_URL = \(tokenURL)
        """.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    func json(_ text: String?) -> [String: Any]? {
        text.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test("credmon check lists robot (client-credentials) and osdf (token-exchange) with credd's routing; import-condor-config gives the same table")
    func checkAndImport() throws {
        let site = try TemporarySite("client-pelican-check")
        let tokenURL = "http://127.0.0.1:9/token"
        let condor = try CondorHarness(label: "client-pelican-check", fixture: "multi-issuer", configFile: try writeSite(site, tokenURL: tokenURL))
        let before = try condor.credmon(["check"])
        #expect(before.status == 0, "\(before.output)")
        #expect(before.output.contains("robot  (kind client-credentials"), "\(before.output)")
        #expect(before.output.contains("osdf  (kind token-exchange"), "\(before.output)")
        #expect(before.output.contains("robot: local client -> Credmon provider of kind client-credentials"), "\(before.output)")
        #expect(before.output.contains("osdf: Pelican -> Credmon provider of kind token-exchange"), "\(before.output)")
        #expect(settings(before.output).contains { $0.contains("client_id") && $0.hasSuffix(Self.osdfClient.id) }, "\(before.output)")
        #expect(!before.output.contains(Self.robotClient.secret) && !before.output.contains(Self.osdfClient.secret))

        let imported = condor.root.appendingPathComponent("imported").path
        let written = try condor.credmon(["import-condor-config", "--out", imported])
        #expect(written.status == 0, "\(written.output)")
        let robot = try String(contentsOfFile: imported + "/robot.yaml", encoding: .utf8)
        let osdf = try String(contentsOfFile: imported + "/osdf.yaml", encoding: .utf8)
        #expect(robot.contains("kind: client-credentials") && robot.contains(tokenURL) && robot.contains("CLIENT_CREDMON_CLIENT_ID"), "\(robot)")
        #expect(osdf.contains("kind: token-exchange") && osdf.contains(tokenURL) && osdf.contains("OSDF_PELICAN_CLIENT_ID"), "\(osdf)")

        // The knobs removed but the provider lists (condor_credd routes by them): the same table from the fragments.
        let trimmed = site.url.appendingPathComponent("condor_config.trimmed").path
        try """
        LOG = /var/log/condor
        use feature : OAUTH
        CLIENT_CREDMON_PROVIDER_NAMES = robot
        PELICAN_CREDMON_PROVIDER_NAMES = osdf
        """.write(toFile: trimmed, atomically: true, encoding: .utf8)
        let moved = try CondorHarness(label: "client-pelican-after", fixture: "multi-issuer", configFile: trimmed)
        moved.overrides = condor.overrides
        let after = try moved.credmon(["check", "--providers-dir", imported])
        #expect(after.status == 0, "\(after.output)")
        #expect(settings(after.output) == settings(before.output), "before:\n\(before.output)\nafter:\n\(after.output)")
        #expect(after.output.contains("robot  (kind client-credentials") && after.output.contains("osdf  (kind token-exchange"), "\(after.output)")
    }

    /// The provider settings lines of `credmon check` (the lines naming where each provider came from differ).
    private func settings(_ output: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix("    ") && !$0.contains("->") }.map(String.init)
    }
}


extension ClientAndPelicanKnobTests {
    @Test("knobs only: robot.use from the client-credentials grant with CLIENT_CREDMON_*'s client, osdf.use exchanged with OSDF_PELICAN_*'s client")
    func knobOnlyTokens() throws {
        let server = try OAuthServer(configuration: .init(clients: [Self.robotClient, Self.osdfClient].map { OAuthServer.Client(id: $0.id, secret: $0.secret) }))
        defer { server.stop() }
        let site = try TemporarySite("client-pelican")
        let condor = try CondorHarness(label: "client-pelican", fixture: "multi-issuer",
                                       configFile: try writeSite(site, tokenURL: server.url("/token").absoluteString))
        defer { _ = condor.stopDaemon() }
        let subject = "pelican-subject-\(UUID().uuidString.prefix(8))"
        server.registerSubjectToken(subject, subject: "alice", scope: "read:/data write:/data")
        try condor.storeLocalCredential(user: "alice", token: "robot")
        try condor.storeVaultCredential(user: "alice", token: "osdf", ["access_token": subject, "scopes": "read:/data"])
        try condor.startDaemon()

        #expect(eventually(timeout: 30) { condor.contents("alice/robot.use") != nil && condor.contents("alice/osdf.use") != nil },
                "\(condor.log)")
        let robot = try #require(json(condor.contents("alice/robot.use")))
        #expect(Set(robot.keys) == ["access_token", "expires_in"], "\(robot)")
        let robotAccess = try #require(robot["access_token"] as? String)
        let robotToken = try #require(server.issuedAccessToken(robotAccess))
        #expect(robotToken.clientID == Self.robotClient.id, "CLIENT_CREDMON_CLIENT_ID and its secret file were used")
        #expect(robotToken.scope.split(separator: " ").contains("condor.user:alice"), "\(robotToken.scope)")
        #expect(robotToken.scope.split(separator: " ").contains("read:/user/alice"), "the default CLIENT_CREDMON_AUTHZ_TEMPLATE")

        let osdf = try #require(json(condor.contents("alice/osdf.use")))
        #expect(Set(osdf.keys) == ["access_token", "token_type", "expires_in"], "\(osdf)")
        let osdfAccess = try #require(osdf["access_token"] as? String)
        let exchange = try #require(server.tokenExchange(issuing: osdfAccess))
        #expect(exchange.clientID == Self.osdfClient.id && exchange.subjectToken == subject, "OSDF_PELICAN_CLIENT_ID exchanged the storer's token")
        #expect(exchange.scope == "read:/data", "condor_credd's scopes are forwarded")
        let top = try #require(json(condor.contents("alice/osdf.top")))
        #expect(top["refresh_token"] as? String == exchange.refreshToken && top["scopes"] as? String == "read:/data")
        #expect(condor.contents("alice/robot.top") == "alice@ap", "the placeholder is not touched")

        let requests = server.requests(to: "/token")
        #expect(requests.count == 2 && requests.allSatisfy { $0.status == 200 && $0.clientAuthentication == .post })
        let log = condor.log
        #expect(!log.contains(Self.robotClient.secret) && !log.contains(Self.osdfClient.secret) && !log.contains(subject), "a secret reached the log")
        #expect(condor.stopDaemon() == 0)
    }
}
