import Foundation
import Testing
@testable import Engine

/// HTCondor's web app renames `.use`, then `.top`, then `.meta` (contract §B.3.3, §D): a worker can look at the new
/// `.top` while the old `.meta` is still in place.
@Suite("A .meta written after its .top")
struct LateMetadataTests {
    static let frozen = #"{"client_id": "c", "client_secret": "s", "token_url": "https://idp.test/token", "use_refresh_token": false}"#
    static let thawed = #"{"client_id": "c", "client_secret": "s", "token_url": "https://idp.test/token", "use_refresh_token": true}"#

    /// hank's `svc` credential, whose `.meta` says not to refresh and whose provider answers so once; events are
    /// delivered by the test through `watcher`.
    static func dormantCredential() throws -> (ScriptedProvider, MonitorHarness, DirectoryWatcher) {
        let provider = ScriptedProvider(name: "svc", readsSeed: true)
        provider.script(.fetch, .fail(.dormant(.server("no_refresh"), "use_refresh_token is false")))
        let harness = try MonitorHarness(providers: [provider]) { $0.watchFiles = false }
        try harness.writeSeed("hank", "svc", #"{"refresh_token": "r1"}"#)
        try Data(frozen.utf8).write(to: URL(fileURLWithPath: harness.path("hank/svc.meta")))
        return (provider, harness, try DirectoryWatcher(root: harness.credentialDirectory))
    }

    @Test("A dormant credential whose .meta alone changes is looked at again and renewed")
    func newMetadataWakesDormantCredential() async throws {
        let (provider, harness, watcher) = try Self.dormantCredential()
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("hank", "svc") { $0.state == .dormant })
            #expect(provider.calls("hank", "svc") == 1)
            harness.clock.advance(by: 5)  // past the renewal floor
            // The web app's last rename: the .meta alone, the .top as the worker already saw it.
            let replacement = harness.path("hank/.svc.meta.new")
            try Data(Self.thawed.utf8).write(to: URL(fileURLWithPath: replacement))
            #expect(rename(replacement, harness.path("hank/svc.meta")) == 0)
            await harness.monitor.handle([.credentialFile(user: "hank", stem: "svc", file: .metadata)], watcher: watcher)
            #expect(await harness.waitForRecord("hank", "svc") { $0.state == .valid }, "still dormant after a new .meta")
            #expect(provider.calls("hank", "svc") == 2)
            #expect(await harness.record("hank", "svc")?.metadataStamp == nil, "a valid credential keeps no .meta stamp")
        }
    }

    @Test("A dormant credential whose .meta did not change is left alone when asked for again")
    func sameMetadataStaysDormant() async throws {
        let (provider, harness, watcher) = try Self.dormantCredential()
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("hank", "svc") { $0.state == .dormant && $0.metadataStamp != nil })
            harness.clock.advance(by: 5)
            await harness.monitor.handle([.credentialFile(user: "hank", stem: "svc", file: .metadata)], watcher: watcher)
            await harness.monitor.idle()  // the worker has handled the event's request
            #expect(await harness.record("hank", "svc")?.state == .dormant)
            #expect(provider.calls("hank", "svc") == 1, "the same .meta asked the provider again")
        }
    }
}
