import CredmonTestKit
import Engine
import Foundation
import Testing

/// CredmonTestKit's scripted provider, which tests of the engine use in place of a kind: it answers from its script
/// and records what it was asked.
@Suite("The test kit's scripted provider")
struct ScriptedProviderTests {
    let id = CredentialID(user: "alice", token: TokenName(service: "svc"))

    @Test("answers from the script of each operation, then by default; records every call")
    func script() async throws {
        let provider = ScriptedProvider(name: "svc")
        provider.script(.refresh, .fail(.transient(.httpStatus(503), "down")), .token("second", lifetime: 60))
        provider.script(.revoke, .fail(.terminal(.server("invalid_grant"), "gone")))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let request = CredentialRequest(id: id, now: now)
        await #expect(throws: ProviderError.transient(.httpStatus(503), "down")) { try await provider.refresh(request) }
        let second = try await provider.refresh(request)
        #expect(try AccessTokenFile.parse(second.accessTokenFile, path: "use").accessToken == "second")
        #expect(second.validity?.expiresAt == now.addingTimeInterval(60))
        let fetched = try await provider.fetch(request)
        #expect(try AccessTokenFile.parse(fetched.accessTokenFile, path: "use").accessToken == "tok-3")
        await #expect(throws: ProviderError.self) { try await provider.revoke(RevocationRequest(id: id, seed: nil, metadata: nil)) }
        try await provider.revoke(RevocationRequest(id: id, seed: nil, metadata: nil))
        #expect(provider.calls.map(\.operation) == [.refresh, .refresh, .fetch, .revoke, .revoke])
        #expect(provider.callKinds == ["refresh", "refresh", "fetch"])
        #expect(provider.totalCalls == 3 && provider.calls("alice", "svc") == 3)
        #expect(provider.pendingSteps == 0)
    }

    @Test("per-user failures and answers apply to unscripted calls")
    func perUser() async throws {
        let provider = ScriptedProvider(name: "svc")
        provider.fail("alice", with: .terminal(.server("invalid_grant"), "log in again"))
        await #expect(throws: ProviderError.self) { try await provider.refresh(CredentialRequest(id: id, now: Date())) }
        provider.fail("alice", with: nil)
        provider.answer("alice") { now in ScriptedProvider.update(token: "custom", lifetime: 5, now: now) }
        let update = try await provider.refresh(CredentialRequest(id: id, now: Date()))
        #expect(try AccessTokenFile.parse(update.accessTokenFile, path: "use").accessToken == "custom")
    }
}
