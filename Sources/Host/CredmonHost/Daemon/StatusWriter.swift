import Engine
import Foundation
import Logging
import ServiceLifecycle

/// Writes the status file when credentials change (at most every `interval`), and after every pass.
struct StatusWriter: Service {
    let monitor: Monitor
    let stateDirectory: String
    let credentialDirectory: String
    let interval: Duration
    let logger: Logger

    func run() async throws {
        var written = -1
        while !Task.isCancelledOrShuttingDown {
            let changes = await monitor.changeCount
            if changes != written {
                await writeNow()
                written = changes
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
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
