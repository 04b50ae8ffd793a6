import Foundation
import Glibc
import OAuthTestServer
import Testing

/// The `.meta` is written by the web app (running as condor): its `token_url` is trusted only with its own client.
@Suite("A .meta's token_url never receives a fragment's client secret")
struct MetaTokenURLTests {
    @Test("a fragment with a client but no token_url or issuer: the .meta's token_url is used with the .meta's client only")
    func fragmentSecretStaysHome() throws {
        let server = try OAuthServer(configuration: .init(rotateRefreshTokens: false, accessTokenLifetime: 60))
        defer { server.stop() }
        let client = OAuthServer.Client.default
        let secretDirectory = try TestPaths.temporaryDirectory("meta-url")
        defer { try? FileManager.default.removeItem(at: secretDirectory) }
        let secretFile = secretDirectory.appendingPathComponent("client_secret")
        let fragmentSecret = "fragment-secret-\(UUID().uuidString)"
        try "\(fragmentSecret)\n".write(to: secretFile, atomically: true, encoding: .utf8)
        chmod(secretFile.path, 0o600)
        let daemon = try DaemonProcess(label: "meta-url", fragments: ["issuer.yaml": """
            name: issuer
            kind: oauth2
            client_id: \(client.id)
            client_secret_file: \(secretFile.path)
            """])
        defer { daemon.cleanUp() }
        let grant = server.issueGrant(clientID: client.id, scope: "read:/data", subject: "alice")
        try WebLoginEmulator(credentialDirectory: daemon.credentialDirectory).store(
            user: "alice", token: "issuer", refreshToken: grant.refreshToken, accessToken: grant.accessToken, expiresIn: 1,
            clientID: client.id, clientSecret: client.secret, tokenURL: server.url("/token").absoluteString)
        try daemon.start()
        #expect(eventually(timeout: 10) { !server.requests(to: "/token").isEmpty }, "log:\n\(daemon.log)")
        let requests = server.requests(to: "/token")
        #expect(requests.allSatisfy { $0.formFields["client_secret"] == client.secret }, "the .meta's own client")
        #expect(!requests.contains { $0.formFields["client_secret"] == fragmentSecret || String(decoding: $0.body, as: UTF8.self).contains(fragmentSecret) },
                "the fragment's secret never goes to a URL the fragment does not name")
    }
}
