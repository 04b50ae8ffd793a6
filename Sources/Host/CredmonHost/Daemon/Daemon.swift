import Engine
import Foundation
import Logging
import OAuthClient
import ServiceLifecycle
import UnixSignals

/// Starts the monitor the way condor_master expects: validated directory, `pid` file, `CREDMON_COMPLETE`,
/// SIGHUP to rescan, SIGTERM/SIGINT/SIGQUIT to stop cleanly with exit status 0.
struct Daemon {
    let deployment: Deployment
    let logger: Logger
    let log: LogDestination
    let scanInterval: Double
    let maxConcurrent: Int
    let once: Bool

    /// Runs to the end; returns the exit status.
    func run() async -> Int32 {
        if let problem = deployment.condorProblem {
            // condor_config_val is here, so condor_master may have started us: local mode would be wrong.
            guard !deployment.isLocalMode else {
                logger.critical("Cannot use HTCondor's configuration", metadata: ["credmon.error": "\(problem)"])
                return 1
            }
            logger.warning("HTCondor's configuration could not be read; running with the given flags only", metadata: ["credmon.error": "\(problem)"])
        }
        let directory = CredentialDirectory(path: deployment.credentialDirectory)
        let existedBefore = FileManager.default.fileExists(atPath: deployment.credentialDirectory)
        do {
            if deployment.isLocalMode {
                try FileManager.default.createDirectory(atPath: (deployment.credentialDirectory as NSString).deletingLastPathComponent,
                                                        withIntermediateDirectories: true)
            }
            try directory.prepare()
            try FileManager.default.createDirectory(atPath: deployment.stateDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            logger.critical("Cannot start", metadata: ["credmon.error": "\(error)"])
            return 1
        }
        logger.info("Starting", metadata: [
            "credmon.cred_dir": "\(deployment.credentialDirectory)", "credmon.providers_dir": "\(deployment.providersDirectory)",
            "credmon.state_dir": "\(deployment.stateDirectory)", "credmon.pid": "\(getpid())",
            "credmon.mode": "\(deployment.isLocalMode ? "local (no HTCondor configuration found)" : "configured")",
        ])
        // The HTTP client every provider of this daemon shares, across reloads; a service, shut down after the monitor.
        let http = NIOHTTPClient(maxConnectionsPerHost: 64)
        let loaded = LocationOptions.loadProviders(deployment, createMissingKeys: true, http: http, logger: logger)
        report(loaded)
        if deployment.isLocalMode && !existedBefore {
            seedDemoCredential(table: loaded.table)
        }
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        // The marker of an earlier run goes before the pid appears: whoever sees this pid never sees a stale marker.
        directory.removeCompleteMarker()
        do {
            try directory.writePID(getpid())
        } catch {
            logger.critical("Cannot write the pid file", metadata: ["credmon.error": "\(error)"])
            return 1
        }
        defer { directory.removePID(ifItIs: getpid()) }

        var configuration = MonitorConfiguration(credentialDirectory: deployment.credentialDirectory)
        configuration.scanInterval = scanInterval
        configuration.maxConcurrent = maxConcurrent
        configuration.once = once
        configuration.stateDirectory = deployment.stateDirectory
        configuration.allowSpecialCharacterNames = deployment.condorKnobs?.allowSpecialCharacterNames ?? false
        logger.debug("Monitor settings", metadata: [
            "credmon.scan_interval": "\(scanInterval)", "credmon.max_concurrent": "\(maxConcurrent)",
            "credmon.deep_pass_every": "\(configuration.deepPassEvery)", "credmon.once": "\(once)",
        ])
        let deployment = self.deployment
        let logger = self.logger
        let monitor = Monitor(configuration: configuration, providers: loaded.table, logger: logger, reload: { [self] current in
            let fresh = LocationOptions.loadProviders(deployment, createMissingKeys: true, http: http, logger: logger)
            report(fresh)
            return fresh.table.keepingPrevious(current, forFailedFiles: fresh.failedFiles)
        })
        let status = StatusWriter(monitor: monitor, stateDirectory: deployment.stateDirectory,
                                  credentialDirectory: deployment.credentialDirectory, logger: logger)
        if once {
            try? await monitor.run()
            await status.writeNow()
            logger.info("One pass done; exiting")
            return 0
        }
        let group = ServiceGroup(configuration: .init(
            services: [
                // First in the list, so last to shut down: the monitor's last requests still have their client.
                .init(service: http),
                .init(service: monitor, successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: HangupListener(signals: hangups, monitor: monitor, log: log, logger: logger)),
                .init(service: status),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint, .sigquit],
            logger: Logger(label: "credmon.lifecycle", factory: { _ in SwiftLogNoOpLogHandler() })))
        do {
            try await group.run()
        } catch {
            logger.error("Stopped with an error", metadata: ["credmon.error": "\(error)"])
            return 1
        }
        logger.info("Stopped")
        return 0
    }

    /// Logs the provider table and every fragment error.
    func report(_ loaded: ProviderTable.LoadResult) {
        for error in loaded.errors {
            logger.error("Provider fragment rejected; fix it and send SIGHUP", metadata: ["credmon.error": "\(error)"])
        }
        logger.info("Providers loaded", metadata: ["credmon.providers": "\(loaded.table.names.joined(separator: ","))"])
    }

    /// In local mode, on a fresh directory, write `<me>/scitokens.top` as condor_credd would, so the first run shows
    /// a token being issued.
    func seedDemoCredential(table: ProviderTable) {
        let catalog = HostCatalog.catalog
        guard let service = table.names.first(where: { name in
            table.provider(for: name).flatMap { catalog.kind(named: $0.profile.kind) }?.credentialType == .localIssuer
        }) else { return }
        let user = ProcessInfo.processInfo.environment["USER"].flatMap { CredentialNames.isValidUser($0) ? $0 : nil } ?? "demo"
        let userPath = deployment.credentialDirectory + "/" + user
        do {
            try FileManager.default.createDirectory(atPath: userPath, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            let handle = try DirectoryHandle.open(path: userPath)
            try AtomicWriter.write(Array("\(user)@foo".utf8), to: "\(service).top", in: handle, mode: 0o600, durability: .durable)
            logger.notice("Local mode: wrote a demo credential as condor_credd would", metadata: ["credmon.path": "\(userPath)/\(service).top"])
        } catch {
            logger.warning("Local mode: could not write the demo credential", metadata: ["credmon.error": "\(error)"])
        }
    }
}
