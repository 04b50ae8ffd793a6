import Foundation
import Glibc
import OAuthTestServer
import Testing

/// What a credmon cleans up (contract §B.3.4), with the real daemon. (The 12-hour rule for key files is tested on
/// the engine's manual clock: a file's ctime cannot be set back.)
@Suite("Leftovers with the real daemon: temporary files, young key files, revocation copies")
struct LeftoversTests {
    static let client = OAuthServer.Client.default

    private func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    @Test("temporary files in $CD, a user directory, the state directory and the vault go at start; a young key file stays")
    func temporariesAtStart() throws {
        let daemon = try DaemonProcess(label: "leftovers-tmp", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.credd.storeLocalCredential(user: "alice")
        let prefix = ".credmon-tmp."
        let state = daemon.stateDirectory.path, cred = daemon.credentialDirectory.path
        for directory in [state + "/revocation/alice"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let temporaries = [cred + "/\(prefix)pid.a1", cred + "/alice/\(prefix)scitokens.use.a2", state + "/\(prefix)status.json.a3",
                           state + "/revocation/\(prefix)x.a4", state + "/revocation/alice/\(prefix)box.top.a5"]
        for path in temporaries { try "left".write(toFile: path, atomically: false, encoding: .utf8) }
        let keyFile = cred + "/" + String(repeating: "0123456789abcdef", count: 4)
        try "Provider = \"box\"\n".write(toFile: keyFile, atomically: false, encoding: .utf8)

        try daemon.start()
        #expect(eventually(timeout: 15) { daemon.credd.read("alice", "scitokens.use") != nil && exists(cred + "/CREDMON_COMPLETE") },
                "log:\n\(daemon.log)")
        for path in temporaries { #expect(!exists(path), "\(path) removed; log:\n\(daemon.log)") }
        #expect(exists(keyFile), "a key file younger than 12 hours stays")
        #expect(daemon.log.components(separatedBy: "Removed a temporary file left by an earlier run").count == temporaries.count + 1,
                "\(daemon.log)")
    }

    @Test("revocation copies are erased after a reload that removes their provider or its revocation; nothing is revoked")
    func vaultPrunedOnReload() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 600))
        defer { server.stop() }
        let fragment = { (name: String, revokes: Bool) in
            "name: \(name)\nkind: oauth2\nrevocation_url: \(server.url("/revoke").absoluteString)\nrevoke_on_removal: \(revokes)\n"
        }
        let daemon = try DaemonProcess(label: "leftovers-vault", fragments: [
            "issuer.yaml": fragment("issuer", true), "other.yaml": fragment("other", true),
        ])
        defer { daemon.cleanUp() }
        var grants: [String: String] = [:]
        for (user, token) in [("dave", "issuer"), ("erin", "other")] {
            let grant = server.issueGrant(clientID: Self.client.id, scope: "read:/data", subject: user)
            try WebLoginEmulator(credentialDirectory: daemon.credentialDirectory).store(
                user: user, token: token, refreshToken: grant.refreshToken, accessToken: grant.accessToken, expiresIn: 600,
                clientID: Self.client.id, clientSecret: Self.client.secret, tokenURL: server.url("/token").absoluteString,
                useRefreshToken: true)
            grants[user] = grant.refreshToken
        }
        try daemon.start()
        let copies = [daemon.stateDirectory.appendingPathComponent("revocation/dave/issuer.top").path,
                      daemon.stateDirectory.appendingPathComponent("revocation/erin/other.top").path]
        #expect(eventually(timeout: 15) { copies.allSatisfy(exists) }, "copies kept; log:\n\(daemon.log)")

        try fragment("issuer", false).write(to: daemon.providersDirectory.appendingPathComponent("issuer.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: daemon.providersDirectory.appendingPathComponent("other.yaml"))
        daemon.send(SIGHUP)
        #expect(eventually(timeout: 15) { copies.allSatisfy { !exists($0) } }, "copies erased; log:\n\(daemon.log)")
        // The daemon logs each erasure right after it; wait for the lines rather than race them.
        #expect(eventually(timeout: 5) {
            daemon.log.contains("Erased a revocation copy: its provider no longer revokes on removal credmon.token=issuer credmon.user=dave")
                && daemon.log.contains("Erased a revocation copy: its provider is no longer configured credmon.token=other credmon.user=erin")
        }, "\(daemon.log)")
        #expect(server.isActive(refreshToken: grants["dave"] ?? "") && server.isActive(refreshToken: grants["erin"] ?? ""), "nothing revoked")
        #expect(server.requests(to: "/revoke").isEmpty)
        #expect(daemon.credd.read("dave", "issuer.top") != nil && daemon.credd.read("erin", "other.top") != nil, "the credentials stay")
    }
}
