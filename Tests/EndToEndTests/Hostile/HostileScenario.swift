import Foundation
import Glibc
import OAuthTestServer

/// One hostile row against the real daemon: a loopback server whose answers to mallory's grant are the row's, a
/// healthy OAuth credential (alice) on the same server and provider, a local-scitoken credential (alice), and a
/// daemon with `timeout: 2` and a one-second scan interval.
final class HostileScenario {
    static let client = OAuthServer.Client.default
    let row: HostileAnswer
    let server: OAuthServer
    let redirectTarget: RedirectTarget
    let daemon: DaemonProcess
    let malloryRefreshToken: String
    let aliceRefreshToken: String
    /// mallory's `.top` and `.use` before the daemon started.
    let originalTop: Data
    let originalUse: Data

    init(_ row: HostileAnswer) throws {
        self.row = row
        redirectTarget = try RedirectTarget()
        var configuration = OAuthServer.Configuration(accessTokenLifetime: 2)
        configuration.hostileRedirectLocation = redirectTarget.tokenURL
        configuration.hostileStall = .seconds(120)
        server = try OAuthServer(configuration: configuration)
        let label = "hostile-" + row.id.filter { $0.isLetter || $0.isNumber }.prefix(24)
        daemon = try DaemonProcess(label: String(label), fragments: [
            "issuer.yaml": "name: issuer\nkind: oauth2\ntimeout: 2\n",
            "scitokens.yaml": Fragments.local(lifetime: 2, renewFraction: 0.5),
        ])
        let login = WebLoginEmulator(credentialDirectory: daemon.credentialDirectory)
        let mallory = server.issueGrant(clientID: Self.client.id, scope: "read:/data", subject: "mallory")
        let alice = server.issueGrant(clientID: Self.client.id, scope: "read:/data", subject: "alice")
        malloryRefreshToken = mallory.refreshToken
        aliceRefreshToken = alice.refreshToken
        server.answerHostile(row, forGrantOf: mallory.refreshToken)
        for (user, grant, expiresIn) in [("mallory", mallory, 1), ("alice", alice, 2)] {
            try login.store(user: user, token: "issuer", refreshToken: grant.refreshToken, accessToken: grant.accessToken,
                            expiresIn: expiresIn, clientID: Self.client.id, clientSecret: Self.client.secret,
                            tokenURL: server.url("/token").absoluteString)
        }
        try daemon.credd.storeLocalCredential(user: "alice")
        originalTop = try Data(contentsOf: URL(fileURLWithPath: daemon.credd.path("mallory", "issuer.top")))
        originalUse = try Data(contentsOf: URL(fileURLWithPath: daemon.credd.path("mallory", "issuer.use")))
    }

    func start() throws { try daemon.start(scanInterval: 1) }

    var isAlive: Bool { daemon.process?.isRunning ?? false }

    var status: StatusFile? { StatusFile.read(stateDirectory: daemon.stateDirectory) }

    var mallory: StatusFile.Entry? { status?.entry(user: "mallory", token: "issuer") }

    func file(_ user: String, _ name: String) -> Data? { FileManager.default.contents(atPath: daemon.credd.path(user, name)) }

    /// `CREDMON_COMPLETE`'s modification time in nanoseconds, nil while it does not exist.
    var completeStamp: Int? {
        var st = stat()
        guard stat(daemon.credentialDirectory.appendingPathComponent("CREDMON_COMPLETE").path, &st) == 0 else { return nil }
        return st.st_mtim.tv_sec * 1_000_000_000 + st.st_mtim.tv_nsec
    }

    /// The token requests that presented a token of mallory's grant.
    var malloryRequests: [OAuthServer.LoggedRequest] {
        guard let grant = server.grant(forRefreshToken: malloryRefreshToken) else { return [] }
        return server.requests(to: "/token").filter { grant.refreshTokens.contains($0.formFields["refresh_token"] ?? "") }
    }

    /// The refresh token in mallory's `.top` now.
    var malloryTopToken: String? {
        file("mallory", "issuer.top").flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }?["refresh_token"] as? String
    }

    /// Everything that must never reach the log or the status file.
    var secrets: [String] {
        var list = [HostileAnswer.secretMarker, Self.client.secret, malloryRefreshToken, aliceRefreshToken]
        if let grant = server.grant(forRefreshToken: malloryRefreshToken) { list += grant.refreshTokens + grant.accessTokens }
        return list
    }

    func tail(_ characters: Int = 2500) -> String { String(daemon.log.suffix(characters)) }

    func cleanUp() {
        daemon.cleanUp()
        server.stop()
        redirectTarget.stop()
    }
}
