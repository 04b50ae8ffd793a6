import Foundation
import OAuthTestServer

/// What happened when the daemon met one hostile row: gathered on a thread of its own (blocking waits), asserted
/// afterwards by the test.
struct HostileObservation: Sendable, CustomStringConvertible {
    var setupError: String?
    /// The daemon was running at the end.
    var alive = false
    var reportedFailing = false
    /// mallory's state when the wait for `failing` ended.
    var stateSeen: String?
    var oauthRenewed = false
    var localRenewed = false
    var passCompleted = false
    /// mallory's `.top` and `.use` compared with the bytes before the start.
    var topUnchanged = false
    var useUnchanged = false
    var useNow = ""
    /// Rotating rows: the `.top` holds the grant's current refresh token, not the one presented first.
    var rotatedTokenKept = false
    var topStillOriginal = false
    var topScopes: String?
    /// The status file's entry for mallory, and what `credmon status --json` printed for it.
    var state: String?
    var consecutiveFailures = 0
    var lastError: String?
    /// Seconds from the status read to the next attempt the daemon scheduled.
    var nextAttemptIn: Double?
    var printedState: String?
    var printed = ""
    var secretInStatus = false
    var logProblems: [String] = []
    var requests = 0
    var elapsed: TimeInterval = 0
    /// Seconds from mallory's first request to the failing report.
    var failureCost: TimeInterval?
    var redirectRequests = 0
    var logTail = ""

    /// A one-line summary (what a failed expectation prints; the log tail is in the messages that need it).
    var description: String {
        "state \(state ?? stateSeen ?? "none") after \(requests) requests in \(Int(elapsed)) s, lastError \((lastError ?? "none").prefix(160).debugDescription)"
    }
}

extension HostileScenario {
    /// Starts the daemon and watches it meet the row: the failure, the healthy credentials after it, the files.
    func observe() -> HostileObservation {
        var seen = HostileObservation()
        let started = Date()
        do {
            try start()
            watch(&seen)
        } catch {
            seen.setupError = "cannot start the daemon: \(error)"
        }
        seen.alive = isAlive
        seen.requests = malloryRequests.count
        seen.elapsed = Date().timeIntervalSince(started)
        seen.redirectRequests = redirectTarget.requests
        seen.logTail = tail()
        return seen
    }

    private func watch(_ seen: inout HostileObservation) {
        let died = { !self.isAlive }
        seen.reportedFailing = waitUntil(timeout: 20, stop: died) { mallory?.state == "failing" }
        let failedAt = Date()
        seen.stateSeen = mallory?.state
        if let first = malloryRequests.first { seen.failureCost = failedAt.timeIntervalSince(first.receivedAt) }
        guard seen.reportedFailing, isAlive else { return }

        let stamp = completeStamp
        let aliceOAuth = file("alice", "issuer.use")
        let aliceLocal = file("alice", "scitokens.use")
        seen.oauthRenewed = waitUntil(timeout: 15, stop: died) { file("alice", "issuer.use") != aliceOAuth }
        seen.localRenewed = waitUntil(timeout: 10, stop: died) { file("alice", "scitokens.use") != aliceLocal }
        seen.passCompleted = waitUntil(timeout: 10, stop: died) { (completeStamp ?? -1) > (stamp ?? -1) }

        if row.rotatesRefreshToken {
            seen.rotatedTokenKept = waitUntil(timeout: 10) {
                server.inFlight == 0 && malloryTopToken != nil
                    && malloryTopToken == server.grant(forRefreshToken: malloryRefreshToken)?.currentRefreshToken
            }
            seen.topStillOriginal = malloryTopToken == malloryRefreshToken
            let top = file("mallory", "issuer.top").flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            seen.topScopes = top?["scopes"] as? String
        }
        seen.topUnchanged = file("mallory", "issuer.top") == originalTop
        let use = file("mallory", "issuer.use") ?? Data()
        seen.useUnchanged = use == originalUse
        seen.useNow = String(decoding: use.prefix(200), as: UTF8.self)

        let status = self.status
        let entry = status?.entry(user: "mallory", token: "issuer")
        seen.state = entry?.state
        seen.consecutiveFailures = entry?.consecutiveFailures ?? 0
        seen.lastError = entry?.lastError
        seen.nextAttemptIn = entry?.nextDue.map { $0 - Date().timeIntervalSince1970 }
        seen.secretInStatus = secrets.contains { (status?.raw ?? "").contains($0) }
        if let result = try? daemon.command("status", ["--json"]) {
            seen.printed = String((result.stdout + result.stderr).prefix(600))
            seen.printedState = StatusFile.parse(Data(result.stdout.utf8))?.entry(user: "mallory", token: "issuer")?.state
        }
        let log = (try? Data(contentsOf: daemon.logFile)) ?? Data()
        seen.logProblems = LogInspection.problems(in: log, secrets: secrets, forgedTimestamp: HostileAnswer.forgedTimestamp)
    }
}
