import Foundation
import Testing
@testable import Engine

@Suite("The renewal floor and unusable answers")
struct RenewalFloorTests {
    @Test("An answer whose token is already expired is a failure with backoff: nothing written, not asked again at once")
    func expiredAnswer() async throws {
        let provider = ScriptedProvider(name: "svc")
        provider.answer("alice") { now in
            CredentialUpdate(accessTokenFile: Array(#"{"access_token":"stale","expires_in":0}"#.utf8),
                             validity: TokenValidity(issuedAt: now, expiresAt: now))
        }
        let harness = try MonitorHarness(providers: [provider])
        try harness.writeSeed("alice", "svc")
        try harness.writeSeed("bob", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .failing })
            let record = try #require(await harness.record("alice", "svc"))
            #expect(record.lastError?.hasPrefix("token_already_expired") == true, "\(record.lastError ?? "")")
            #expect(!harness.exists("alice/svc.use"), "an expired token is not written")
            let retry = try #require(record.dueAt)
            #expect(retry >= harness.start.addingTimeInterval(1), "backoff, not an immediate retry")
            #expect(await harness.waitForRecord("bob", "svc") { $0.state == .valid }, "the neighbour is served")

            // A pass before the retry time does not ask again.
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(2))
            #expect(provider.calls("alice", "svc") == 1)
        }
    }

    @Test("A failure that carries a rotated seed writes it durably, and nothing else")
    func rotatedSeedOfFailure() async throws {
        let provider = ScriptedProvider(name: "svc")
        var failure = ProviderError.transient(.malformedResponse, "HTTP 200 without a usable token answer: expires_in 1e300")
        failure.rotatedSeed = Array(#"{"refresh_token":"rt-2"}"#.utf8)
        provider.fail("alice", with: failure)
        let harness = try MonitorHarness(providers: [provider])
        try harness.writeSeed("alice", "svc", #"{"refresh_token":"rt-1"}"#)
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .failing })
            #expect(harness.text("alice/svc.top") == #"{"refresh_token":"rt-2"}"#)
            #expect(Files.mode(harness.path("alice/svc.top")) == 0o400)
            #expect(!harness.exists("alice/svc.use"))
            #expect(harness.temporaryFiles().isEmpty)
        }
    }

    @Test("One credential is renewed at most once a second, even when its token lives half a second")
    func oncePerSecond() async throws {
        let provider = ScriptedProvider(name: "svc")
        provider.answer("alice") { now in
            CredentialUpdate(accessTokenFile: Array(#"{"access_token":"short"}"#.utf8),
                             validity: TokenValidity(issuedAt: now, expiresAt: now.addingTimeInterval(0.5)))
        }
        let harness = try MonitorHarness(providers: [provider])
        try harness.writeSeed("alice", "svc")
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            #expect(provider.calls("alice", "svc") == 1)

            // Due at 0.25 s; the floor holds it until 1 s after the first request.
            #expect(await harness.pass(after: 0.3, reaching: 2))
            #expect(provider.calls("alice", "svc") == 1)
            #expect(await harness.record("alice", "svc")?.state == .valid)

            harness.clock.advance(by: 0.8)
            harness.monitor.requestPass()
            #expect(await eventually { provider.calls("alice", "svc") == 2 })
        }
    }
}
