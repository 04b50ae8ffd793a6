import Engine
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP: reopen the log file, reload providers and rescan (credd sends it after writing a `.top`).
struct HangupListener: Service {
    let monitor: Monitor
    let log: LogDestination
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            try? log.reopen()
            logger.info("SIGHUP: reloading providers and rescanning")
            await monitor.requestReload()
        }
    }
}
