import Foundation
import Testing
@testable import Engine

/// The monitor's own `.use` write raises an event that can be read after the file is gone again.
@Suite("A .use write event read after the .use was removed")
struct LateAccessEventTests {
    @Test("The late write event issues nothing; the removal's own event waits the settle delay")
    func lateWriteEventAfterRemoval() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) { $0.watchFiles = false }
        try harness.writeSeed("erin", "svc")
        let watcher = try DirectoryWatcher(root: harness.credentialDirectory)
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("erin", "svc") { $0.state == .valid })
            harness.clock.advance(by: 5)  // past the renewal floor: only the settle delay can hold it
            try FileManager.default.removeItem(atPath: harness.path("erin/svc.use"))
            // The queue as inotify delivers it: the monitor's own rename first, then the removal.
            await harness.monitor.handle([.credentialFile(user: "erin", stem: "svc", file: .access)], watcher: watcher)
            await harness.monitor.handle([.credentialFile(user: "erin", stem: "svc", file: .access, removed: true)], watcher: watcher)
            #expect(await harness.record("erin", "svc")?.dueAt == harness.start.addingTimeInterval(5 + harness.configuration.removalSettleDelay))
            harness.monitor.requestPass()
            #expect(await harness.waitForPasses(2))
            #expect(provider.calls("erin", "svc") == 1, "not issued again before the settle delay")
            harness.clock.advance(by: harness.configuration.removalSettleDelay)
            #expect(await harness.waitForRecord("erin", "svc") { $0.lastRenewal != harness.start })
            #expect(provider.calls("erin", "svc") == 2)
        }
    }
}
