import Foundation
import Testing
@testable import Engine

/// Revoke and remove, as the daemon (after a `.top` went) and `credmon revoke` (on demand) use it.
@Suite("Revoke and remove")
struct CredentialRemovalTests {
    /// A provider that records what it is asked to revoke and fails as told.
    final class RevokingProvider: CredentialProvider, @unchecked Sendable {
        let profile = ProviderProfile(name: "svc", kind: "test", traits: ProviderTraits(
            allowsHandles: true, readsSeed: true, renewFraction: 0.5, revokesOnRemoval: true), settings: [], fingerprint: "f")
        private let lock = NSLock()
        private var failures: [ProviderError]
        private(set) var revoked: [String] = []

        init(failing failures: [ProviderError] = []) { self.failures = failures }

        func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate { throw ProviderError.terminal(.server("unused"), "") }
        func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate { throw ProviderError.terminal(.server("unused"), "") }
        func revoke(_ request: RevocationRequest) async throws {
            let failure = lock.withLock { () -> ProviderError? in
                revoked.append(request.seed?.refreshToken ?? "")
                return failures.isEmpty ? nil : failures.removeFirst()
            }
            if let failure { throw failure }
        }
        var calls: [String] { lock.withLock { revoked } }
    }

    let root: TemporaryDirectory
    let credentials: String
    let vault: RevocationVault
    let removal: CredentialRemoval
    let id = CredentialID(user: "alice", token: TokenName(stem: "svc")!)

    init() throws {
        root = try TemporaryDirectory("engine-removal")
        credentials = try root.makeDirectory("creds")
        vault = RevocationVault(stateDirectory: try root.makeDirectory("state"))
        removal = CredentialRemoval(credentialDirectory: credentials, vault: vault)
    }

    func writeFiles(refreshToken: String) throws {
        _ = try root.write("creds/alice/svc.top", #"{"refresh_token": "\#(refreshToken)"}"#)
        _ = try root.write("creds/alice/svc.use", #"{"access_token": "at"}"#)
        _ = try root.write("creds/alice/svc.meta", #"{"client_id": "c", "token_url": "https://idp.example/token"}"#)
    }

    func keepCopy(refreshToken: String) throws {
        try vault.remember(id, seed: Array(#"{"refresh_token": "\#(refreshToken)"}"#.utf8), metadata: nil)
    }

    @Test("On demand: revokes the files' refresh token, then removes the files and the copy")
    func onDemand() async throws {
        try writeFiles(refreshToken: "live")
        try keepCopy(refreshToken: "older")
        let provider = RevokingProvider()
        let outcome = await removal.revokeAndRemove(id, at: provider, from: .filesThenVaultCopy, policy: .init())
        guard case .revoked(filesRemoved: true) = outcome else { Issue.record("\(outcome)"); return }
        #expect(provider.calls == ["live"])
        #expect(root.names(in: "creds/alice").isEmpty)
        #expect(vault.entries().isEmpty)
    }

    @Test("On demand without files: the vault's copy is revoked; with removeFiles false the files stay")
    func copyAndKeepFiles() async throws {
        try keepCopy(refreshToken: "kept")
        let provider = RevokingProvider()
        let outcome = await removal.revokeAndRemove(id, at: provider, from: .filesThenVaultCopy, policy: .init(removeFiles: false))
        guard case .revoked(filesRemoved: false) = outcome else { Issue.record("\(outcome)"); return }
        #expect(provider.calls == ["kept"])
        #expect(vault.entries().isEmpty)

        try writeFiles(refreshToken: "live")
        _ = await removal.revokeAndRemove(id, at: provider, from: .filesThenVaultCopy, policy: .init(removeFiles: false))
        #expect(root.exists("creds/alice/svc.top"))
    }

    @Test("After removal: only the vault's copy is revoked, never a new .top in its place")
    func vaultOnly() async throws {
        try writeFiles(refreshToken: "new-login")
        try keepCopy(refreshToken: "removed")
        let provider = RevokingProvider()
        let outcome = await removal.revokeAndRemove(id, at: provider, from: .vaultCopy, policy: .init(removeFiles: false))
        guard case .revoked = outcome else { Issue.record("\(outcome)"); return }
        #expect(provider.calls == ["removed"])
        #expect(root.exists("creds/alice/svc.top"))
        #expect(await removal.revokeAndRemove(id, at: provider, from: .vaultCopy, policy: .init()).isNothingKept)
    }

    @Test("A transient failure is retried; the last one leaves everything in place")
    func transientFailures() async throws {
        try writeFiles(refreshToken: "live")
        try keepCopy(refreshToken: "live")
        let clock = ManualWallClock()
        let provider = RevokingProvider(failing: [.transient(.server("server_error"), "503"), .transient(.server("server_error"), "503")])
        let policy = CredentialRemoval.Policy(attempts: 2, backoff: Backoff(initial: 1, maximum: 1, jitter: 0))
        let task = Task { await removal.revokeAndRemove(id, at: provider, from: .filesThenVaultCopy, policy: policy, clock: clock) }
        #expect(await eventually { provider.calls.count == 1 })
        clock.advance(by: 1)
        let outcome = await task.value
        guard case .failed = outcome else { Issue.record("\(outcome)"); return }
        #expect(provider.calls.count == 2)
        #expect(root.exists("creds/alice/svc.top") && root.exists("creds/alice/svc.use"))
        #expect(vault.entries() == [id])
    }

    @Test("A terminal refusal removes nothing; the copy goes only when the refusal is final")
    func refusal() async throws {
        try writeFiles(refreshToken: "live")
        try keepCopy(refreshToken: "live")
        let refused = await removal.revokeAndRemove(id, at: RevokingProvider(failing: [.terminal(.server("invalid_token"), "gone")]),
                                                    from: .filesThenVaultCopy, policy: .init())
        guard case .refused = refused else { Issue.record("\(refused)"); return }
        #expect(root.exists("creds/alice/svc.top"))
        #expect(vault.entries() == [id])
        _ = await removal.revokeAndRemove(id, at: RevokingProvider(failing: [.terminal(.server("invalid_token"), "gone")]),
                                          from: .vaultCopy, policy: .init(refusalIsFinal: true, removeFiles: false))
        #expect(vault.entries().isEmpty)
        #expect(root.exists("creds/alice/svc.top"))
    }
}

extension CredentialRemoval.Outcome {
    var isNothingKept: Bool { if case .nothingKept = self { true } else { false } }
}
