import Foundation
import OAuthTestServer
import Testing

/// Every row of the hostile-server table against the real daemon (issue 9, "How it is shown"): the daemon stays
/// up, the credential is reported failing with a short, clean error, its `.top` and `.use` are unchanged byte for
/// byte (a rotating row: the new refresh token is kept, the `.use` unchanged), a healthy OAuth credential on the same
/// provider and a local-scitoken credential keep renewing, `CREDMON_COMPLETE` keeps being touched, the log holds no
/// raw control character, forged line or secret, and the endpoint is not hammered.
@Suite("Hostile token endpoint answers against the real daemon")
struct HostileAnswerTests {
    /// Rows run at once (`CREDMON_HOSTILE_PARALLEL`, default 8): each holds a daemon and two servers.
    static let gate = ConcurrencyGate(limit: ProcessInfo.processInfo.environment["CREDMON_HOSTILE_PARALLEL"].flatMap(Int.init) ?? 8)

    /// The fragment's `timeout` (seconds).
    static let timeout = 2.0

    /// The engine's backoff maximum (seconds): `Retry-After` is clamped to it.
    static let backoffMaximum = 600.0

    @Test("a hostile answer hurts nothing but its own credential", .timeLimit(.minutes(5)), arguments: HostileAnswer.catalog)
    func hostileRow(_ row: HostileAnswer) async throws {
        let seen = await Self.gate.run {
            await onOwnThread {
                do {
                    let scenario = try HostileScenario(row)
                    defer { scenario.cleanUp() }
                    return scenario.observe()
                } catch {
                    return HostileObservation(setupError: "\(error)")
                }
            }
        }
        try #require(seen.setupError == nil, "\(seen.setupError ?? "")")
        print("hostile row \(row.id): \(seen)")
        let log = "log:\n\(seen.logTail)"
        #expect(seen.alive, "the daemon died; \(log)")
        try #require(seen.reportedFailing, "never reported failing (state \(seen.stateSeen ?? "none"), \(seen.requests) requests); \(log)")

        // The credentials beside it, and the passes.
        #expect(seen.oauthRenewed, "the healthy OAuth credential on the same provider stopped renewing; \(log)")
        #expect(seen.localRenewed, "the local-scitoken credential stopped renewing; \(log)")
        #expect(seen.passCompleted, "CREDMON_COMPLETE was not touched again; \(log)")

        // Its own files.
        if row.rotatesRefreshToken {
            #expect(seen.rotatedTokenKept, "the valid rotated refresh token was not kept in .top")
            #expect(!seen.topStillOriginal, ".top still holds the retired refresh token")
            #expect(seen.topScopes == "read:/data", "credd's keys in .top were lost")
        } else {
            #expect(seen.topUnchanged, ".top changed")
        }
        #expect(seen.useUnchanged, ".use changed: \(seen.useNow)")

        // A clear, short, clean error.
        #expect(seen.state == "failing" && seen.consecutiveFailures >= 1, "state \(seen.state ?? "none"), \(seen.consecutiveFailures) failures")
        let lastError = seen.lastError ?? ""
        #expect(!lastError.isEmpty, "no lastError")
        #expect(lastError.count <= 512, "lastError of \(lastError.count) characters")
        #expect(!LogInspection.hasControl(lastError), "lastError holds control characters: \(lastError.debugDescription)")
        // Backoff: a next attempt is scheduled, no later than the backoff maximum (an absurd Retry-After is clamped).
        let nextIn = try #require(seen.nextAttemptIn, "no next attempt scheduled")
        #expect(nextIn <= Self.backoffMaximum + 5, "next attempt in \(Int(nextIn)) s")
        #expect(seen.printedState == "failing", "credmon status --json: \(seen.printed)")
        #expect(!seen.secretInStatus, "a secret in status.json")

        // The log, and the endpoint's load.
        #expect(seen.logProblems.isEmpty, "the log: \(seen.logProblems.prefix(5))")
        #expect(seen.requests <= 2 + Int(seen.elapsed / 4), "\(seen.requests) token requests in \(Int(seen.elapsed)) s")
        if row.stalls, let cost = seen.failureCost {
            #expect(cost <= Self.timeout + 6, "reported failing \(Int(cost)) s after its request (timeout \(Int(Self.timeout)) s)")
        }
        if row.kind == .redirect {
            #expect(seen.redirectRequests == 0, "the daemon followed a redirect to another host (\(seen.redirectRequests) requests there)")
        }
    }
}

extension HostileAnswer {
    /// The row never completes an answer: only the client's deadline ends it.
    var stalls: Bool {
        switch outcome {
        case .silence, .stallsAfterHead, .drips, .endlessInterim: true
        default: false
        }
    }
}
