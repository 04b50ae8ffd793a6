import Engine
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP: reopen the log file, reload providers and rescan (credd sends it after writing a `.top`).
/// The handler is installed when `signals` is created, which the daemon does before it writes its pid file: a
/// SIGHUP from credd right after that must not find the default action (terminate) in place.
struct HangupListener: Service {
    let signals: UnixSignalsSequence
    let monitor: Monitor
    let log: LogDestination
    let logger: Logger

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                try log.reopen()
            } catch {
                logger.error("Cannot reopen the log file; logging continues to the file already open", metadata: ["credmon.error": "\(error)"])
            }
            logger.info("SIGHUP: reloading providers and rescanning")
            await monitor.requestReload()
        }
    }
}
