import Engine
import FoundationEssentials
import Logging
import ServiceLifecycle

/// Writes the status file when the monitor's records change (``Monitor/changes()``), atomically, and once more when
/// it stops. A burst of changes is coalesced: the first change is written after `settle`, and then at most one
/// write follows every `minimumInterval` while changes keep coming.
struct StatusWriter: Service {
    let monitor: Monitor
    let stateDirectory: String
    let credentialDirectory: String
    /// How long a first change waits for the ones that follow it.
    var settle: Duration = .milliseconds(50)
    /// The least time between two writes.
    var minimumInterval: Duration = .seconds(2)
    let logger: Logger

    func run() async throws {
        let changes = await monitor.changes()
        for await _ in changes.cancelOnGracefulShutdown() {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: settle) }
            await writeNow()
            if Task.isCancelledOrShuttingDown { break }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: minimumInterval - settle) }
        }
        await writeNow()
    }

    func writeNow() async {
        let providers = await monitor.currentProviders().names
        let (stateDirectory, credentialDirectory) = (self.stateDirectory, self.credentialDirectory)
        let failure: String? = await monitor.withRecords { records in
            do {
                try StatusReport.write(records: records.values, providers: providers, credentialDirectory: credentialDirectory,
                                       to: stateDirectory)
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let failure { logger.warning("Cannot write the status file", metadata: ["credmon.error": "\(failure)"]) }
    }
}

extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
