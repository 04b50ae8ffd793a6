import Foundation
import Glibc
import OAuthTestServer

/// `credmon-bench --oauth N`: N OAuth credentials, all due, against the loopback authorization server answering
/// every request after 20 ms; reports the daemon's first pass (all refreshes) and the server's peak in-flight count.
enum OAuthRefreshBenchmark {
    static func run(count: Int, binary: String, baseDirectory: String) throws {
        let server = try OAuthServer(configuration: .init(rotateRefreshTokens: true, accessTokenLifetime: 3600, latency: .milliseconds(20)))
        defer { server.stop() }
        let root = baseDirectory + "/credmon-bench-oauth-\(getpid())"
        let credentials = root + "/cred", providers = root + "/providers.d", log = root + "/credmon.log"
        try FileManager.default.createDirectory(atPath: providers, withIntermediateDirectories: true)
        mkdir(credentials, 0o2770)
        chmod(credentials, 0o2770)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "name: issuer\nkind: oauth2\n".write(toFile: providers + "/issuer.yaml", atomically: true, encoding: .utf8)
        let client = OAuthServer.Client.default
        let expired = Int(Date().timeIntervalSince1970) - 10
        for index in 0..<count {
            let user = "user\(index)"
            let grant = server.issueGrant(clientID: client.id, scope: "read", subject: user)
            let directory = credentials + "/" + user
            mkdir(directory, 0o700)
            try #"{"refresh_token": "\#(grant.refreshToken)"}"#.write(toFile: directory + "/issuer.top", atomically: false, encoding: .utf8)
            try #"{"client_id": "\#(client.id)", "client_secret": "\#(client.secret)", "token_url": "\#(server.url("/token").absoluteString)", "use_refresh_token": true}"#
                .write(toFile: directory + "/issuer.meta", atomically: false, encoding: .utf8)
            try #"{"access_token": "\#(grant.accessToken)", "expires_in": 3600, "expires_at": \#(expired)}"#
                .write(toFile: directory + "/issuer.use", atomically: false, encoding: .utf8)
        }
        // The files condor_credd and the web app wrote are long on disk when refreshes fall due; without this the
        // daemon's first fsyncs would pay for writing back the whole setup (ext4 commits it in the same journal).
        sync()
        server.resetPeakInFlight()
        let marker = try MarkerWatch(directory: credentials)
        let process = try startDaemon(binary: binary, root: root, extra: ["--scan-interval", "600"])
        defer { stopDaemon(process) }
        let firstPass = waitForFirstPass(log: log, marker: marker)
        let renewed = logLines(log).first { $0.contains("First pass complete") }.flatMap { metadataValue($0, "credmon.renewed") } ?? 0
        let refreshes = server.requests(to: "/token").count
        print(String(format: "oauth: %d due credentials, 20 ms latency per request: first pass %.1f ms, %.0f refreshed, %d token requests, peak in flight %d",
                     count, firstPass ?? .nan, renewed, refreshes, server.peakInFlight))
        if firstPass == nil { print("no first pass in 120 s; see \(log)") }
    }
}
