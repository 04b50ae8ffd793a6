import Foundation
import Glibc
import OAuthTestServer
import Testing

/// The login race with the real daemon: credmon-web stores a login as `.meta`, `.top`, then `.use`; the daemon sees the
/// `.top` first and must not spend the fresh (possibly single-use) refresh token on a request the `.use` makes useless.
@Suite("The login race: a web login is followed by no token request")
struct LoginRaceTests {
    static let client = OAuthServer.Client.default

    /// Writes a login's files as credmon-web's `CredentialWriter` does: `.meta`, `.top`, then `.use`, each to a
    /// temporary file beside it, fsynced, mode 0400, renamed into place, the directory fsynced.
    struct CredmonWebWriter {
        let directory: URL

        init(credentialDirectory: URL, user: String) throws {
            directory = credentialDirectory.appendingPathComponent(user)
            if mkdir(directory.path, 0o700) != 0 && errno != EEXIST { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        }

        func meta(tokenURL: String) throws {
            try write("issuer.meta", #"{"client_id":"\#(LoginRaceTests.client.id)","client_secret":"\#(LoginRaceTests.client.secret)","token_url":"\#(tokenURL)","use_refresh_token":true}"#)
        }

        func top(refreshToken: String) throws {
            try write("issuer.top", #"{"refresh_token":"\#(refreshToken)","scopes":"read:/data"}"#)
        }

        /// The `.use` as credmon-web renders a token answer; returns its `expires_at`.
        @discardableResult
        func use(accessToken: String, expiresIn: Int) throws -> Int {
            let expiresAt = Int(Date().timeIntervalSince1970) + expiresIn
            try write("issuer.use", #"{"access_token":"\#(accessToken)","expires_at":\#(expiresAt),"expires_in":\#(expiresIn),"token_type":"Bearer"}"#)
            return expiresAt
        }

        private func write(_ name: String, _ text: String) throws {
            let temporary = directory.appendingPathComponent(".credmon-web-tmp.\(name).\(UUID().uuidString.prefix(8))").path
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            let bytes = Array(text.utf8)
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard written == bytes.count, fsync(fd) == 0, fchmod(fd, 0o400) == 0 else {
                close(fd)
                throw POSIXError(.init(rawValue: errno) ?? .EIO)
            }
            close(fd)
            guard rename(temporary, directory.appendingPathComponent(name).path) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
            let directoryFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directoryFD >= 0 {
                fsync(directoryFD)
                close(directoryFD)
            }
        }
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
        try daemon.start()
        #expect(eventually(timeout: 10) { markerModified(daemon) != nil }, "no first pass; log:\n\(daemon.log)")

        let grant = server.issueGrant(clientID: Self.client.id, scope: "read:/data", subject: "alice")
        let web = try CredmonWebWriter(credentialDirectory: daemon.credentialDirectory, user: "alice")
        try web.meta(tokenURL: server.url("/token").absoluteString)
        try web.top(refreshToken: grant.refreshToken)
        let topWritten = Date()
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
        try daemon.start()
        #expect(eventually(timeout: 10) { markerModified(daemon) != nil }, "no first pass; log:\n\(daemon.log)")

        let grant = server.issueGrant(clientID: Self.client.id, scope: "read:/data", subject: "alice")
        let web = try CredmonWebWriter(credentialDirectory: daemon.credentialDirectory, user: "alice")
        try web.meta(tokenURL: server.url("/token").absoluteString)
        try web.top(refreshToken: grant.refreshToken)
        let topWritten = Date()

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
