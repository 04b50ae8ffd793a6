import Engine
import Foundation
import OAuthTestServer
import Testing

/// The login race with the real daemon: credmon-web stores a login as `.meta`, `.top`, then `.use`; the daemon sees the
/// `.top` first and must not spend the fresh (possibly single-use) refresh token on a request the `.use` makes useless.
@Suite("The login race: a web login is followed by no token request")
struct LoginRaceTests {
    static let client = OAuthServer.Client.default

    /// Writes a login's files one at a time with Engine's `AtomicWriter`, as credmon-web's `CredentialFiles` does
    /// (`.meta`, `.top`, then `.use`; each 0400, durable, renamed into place), so a test can put time between them.
    struct CredmonWebWriter {
        let directory: DirectoryHandle

        init(credentialDirectory: URL, user: String) throws {
            directory = try CredentialFiles.userDirectory(user, in: DirectoryHandle.open(path: credentialDirectory.path), create: true)
        }

        func meta(tokenURL: String) throws {
            try write("issuer.meta", ClientMetadata.render(clientID: LoginRaceTests.client.id, clientSecret: LoginRaceTests.client.secret,
                                                          tokenURL: tokenURL, useRefreshToken: true))
        }

        func top(refreshToken: String) throws {
            try write("issuer.top", SeedFile.renderOAuth(refreshToken: refreshToken, scopes: "read:/data", audience: ""))
        }

        /// The `.use` as credmon-web renders a token answer; returns its `expires_at`.
        @discardableResult
        func use(accessToken: String, expiresIn: Int) throws -> Int {
            let expiresAt = Int(Date().timeIntervalSince1970) + expiresIn
            try write("issuer.use", Array(#"{"access_token":"\#(accessToken)","expires_at":\#(expiresAt),"expires_in":\#(expiresIn),"token_type":"Bearer"}"#.utf8))
            return expiresAt
        }

        private func write(_ name: String, _ bytes: [UInt8]) throws {
            try AtomicWriter.write(bytes, to: name, in: directory, mode: 0o400, durability: .durable)
        }
    }

    /// Starts `daemon`, waits for its first pass, then writes alice's `.meta` and `.top` as a web login does. Returns
    /// the writer (for the `.use`), the grant, and when the `.top` was written.
    func startThenLogIn(_ daemon: DaemonProcess, server: OAuthServer) throws
        -> (web: CredmonWebWriter, grant: (refreshToken: String, accessToken: String), topWritten: Date) {
        try daemon.start()
        #expect(eventually(timeout: 10) { markerModified(daemon) != nil }, "no first pass; log:\n\(daemon.log)")
        let grant = server.issueGrant(clientID: Self.client.id, scope: "read:/data", subject: "alice")
        let web = try CredmonWebWriter(credentialDirectory: daemon.credentialDirectory, user: "alice")
        try web.meta(tokenURL: server.url("/token").absoluteString)
        try web.top(refreshToken: grant.refreshToken)
        return (web, grant, Date())
    }

    func makeDaemon(_ label: String) throws -> DaemonProcess {
        try DaemonProcess(label: label, fragments: ["issuer.yaml": "name: issuer\nkind: oauth2\n"])
    }

    /// alice's `issuer` entry of `status.json`, as a dictionary.
    func statusEntry(_ daemon: DaemonProcess) -> [String: Any]? {
        guard let status = StatusFile.read(stateDirectory: daemon.stateDirectory),
              let object = (try? JSONSerialization.jsonObject(with: Data(status.raw.utf8))) as? [String: Any],
              let credentials = object["credentials"] as? [[String: Any]] else { return nil }
        return credentials.first { $0["user"] as? String == "alice" && $0["token"] as? String == "issuer" }
    }

    /// When the daemon last completed a full pass (`CREDMON_COMPLETE`'s modification time).
    func markerModified(_ daemon: DaemonProcess) -> Date? {
        let path = daemon.credentialDirectory.appendingPathComponent("CREDMON_COMPLETE").path
        return (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    @Test(".meta, .top, then 200 ms later .use: the daemon keeps the web's token and sends no token request")
    func noTokenRequestAfterLogin() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 3600))
        defer { server.stop() }
        let daemon = try makeDaemon("login-race")
        defer { daemon.cleanUp() }
        let (web, grant, topWritten) = try startThenLogIn(daemon, server: server)
        Thread.sleep(forTimeInterval: 0.2)  // credmon-web's gap between .top and .use, made long
        let expiresAt = try web.use(accessToken: grant.accessToken, expiresIn: 3600)

        // The daemon has handled the credential: status.json shows it valid, expiring when the web's token does.
        #expect(eventually(timeout: 10) {
            guard let entry = statusEntry(daemon), entry["state"] as? String == "valid",
                  let expiry = entry["expiresAt"] as? Double else { return false }
            return abs(expiry - Double(expiresAt)) < 2
        }, "status: \(String(describing: statusEntry(daemon))); log:\n\(daemon.log)")
        #expect(server.requests(to: "/token").isEmpty, "a token request followed the web login; log:\n\(daemon.log)")

        // A full pass completed after the wait's deadline (one second after the .top) finds nothing to ask either.
        let deadline = topWritten.addingTimeInterval(1)
        #expect(eventually(timeout: 10, interval: 0.2) {
            if let modified = markerModified(daemon), modified > deadline { return true }
            daemon.send(SIGHUP)
            return false
        }, "no pass after the deadline; log:\n\(daemon.log)")
        #expect(server.requests(to: "/token").isEmpty, "log:\n\(daemon.log)")
        #expect(server.isActive(refreshToken: grant.refreshToken), "the login's refresh token is untouched")
        #expect(daemon.credd.read("alice", "issuer.use")?.contains(grant.accessToken) == true)
        #expect(!daemon.log.contains("ERROR") && !daemon.log.contains("WARNING"), "log:\n\(daemon.log)")
    }

    @Test("a .top whose .use never comes is fetched after the wait: one token request, about a second after the .top")
    func fetchAfterTheWait() throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 3600))
        defer { server.stop() }
        let daemon = try makeDaemon("login-race-no-use")
        defer { daemon.cleanUp() }
        let (_, _, topWritten) = try startThenLogIn(daemon, server: server)

        #expect(eventually(timeout: 10) { statusEntry(daemon)?["state"] as? String == "valid" },
                "status: \(String(describing: statusEntry(daemon))); log:\n\(daemon.log)")
        let requests = server.requests(to: "/token")
        #expect(requests.count == 1, "log:\n\(daemon.log)")
        if let request = requests.first {
            #expect(request.receivedAt.timeIntervalSince(topWritten) >= 0.8, "asked \(request.receivedAt.timeIntervalSince(topWritten)) s after the .top")
        }
        #expect(daemon.credd.read("alice", "issuer.use") != nil)
    }
}
