import Engine
import FoundationEssentials
import Glibc
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
    /// The log level every logger follows; `<NAME>_DEBUG` sets it again on SIGHUP.
    var levelControl: LogLevelControl? = nil
    /// `-d`: debug logging whatever `<NAME>_DEBUG` says.
    var debugFlag = false
    /// `--metrics-listen`, `--metrics-textfile` and their knobs (off by default).
    var metrics = MetricsSettings()
    /// `--notify-command`, `--expiry-warnings` and their knobs.
    var notifications = NotificationSettings()

    /// Runs to the end; returns the exit status.
    func run() async -> Int32 {
        if let missing = self.deployment.missingConfigVal {
            return fatal("Cannot read HTCondor's configuration: condor_config_val not found", missing)
        }
        if let problem = self.deployment.condorProblem {
            // condor_config_val is here, so condor_master may have started us: local mode would be wrong.
            guard !self.deployment.isLocalMode else { return fatal("Cannot use HTCondor's configuration", problem) }
            logger.warning("HTCondor's configuration could not be read; running with the given flags only", metadata: ["credmon.error": "\(problem)"])
        }
        var deployment = self.deployment
        let existedBefore = FileManager.default.fileExists(atPath: deployment.credentialDirectory)
        let directory: CredentialDirectory
        do {
            if deployment.isLocalMode {
                try FileManager.default.createDirectory(atPath: PathText.deletingLastComponent(deployment.credentialDirectory),
                                                        withIntermediateDirectories: true)
            }
            // A symlinked directory is resolved once; its target is used everywhere from here on.
            directory = try CredentialDirectory(path: deployment.credentialDirectory).resolvedForUse()
        } catch {
            return fatal("Cannot start", error)
        }
        if directory.path != deployment.credentialDirectory {
            logger.info("The credential directory is a symlink; serving its target", metadata: [
                "credmon.cred_dir": "\(deployment.credentialDirectory)", "credmon.target": "\(directory.path)",
            ])
            deployment.credentialDirectory = directory.path
        }
        let exclusion: MonitorExclusion
        do {
            exclusion = try MonitorExclusion.acquire(directory) { pid, reason in
                self.logger.info("Replacing a stale pid file", metadata: [
                    "credmon.path": "\(directory.path)/\(CredentialDirectory.pidFile)", "credmon.reason": "\(reason)",
                    "credmon.stale_pid": "\(pid.map(String.init) ?? "none")",
                ])
            }
        } catch {
            return fatal("Not starting: the credential directory is served already", error)
        }
        defer { withExtendedLifetime(exclusion) {} }
        do {
            try FileManager.default.createDirectory(atPath: deployment.stateDirectory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            return fatal("Cannot start", error)
        }
        logger.info("Starting", metadata: [
            "credmon.cred_dir": "\(deployment.credentialDirectory)", "credmon.providers_dir": "\(deployment.providersDirectory)",
            "credmon.state_dir": "\(deployment.stateDirectory)", "credmon.pid": "\(getpid())",
            "credmon.mode": "\(deployment.isLocalMode ? "local (no HTCondor configuration found)" : "configured")",
        ])
        // The HTTP client every provider of this daemon shares, across reloads; a service, shut down after the monitor.
        let http = NIOHTTPClient(maxConnectionsPerHost: 64)
        let knobsRead = knobsObserver()
        let loaded = LocationOptions.loadProviders(deployment, createMissingKeys: true, http: http, logger: logger, knobsRead: knobsRead)
        report(loaded)
        if deployment.isLocalMode && !existedBefore {
            seedDemoCredential(table: loaded.table, credentialDirectory: deployment.credentialDirectory)
        }
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        // SIGTERM/SIGINT/SIGQUIT are trapped before the pid file appears too: one sent right after it (condor_master
        // stopping a daemon it just started) is kept and stops the daemon cleanly instead of killing it.
        let stops: UnixSignalsSequence? = once ? nil : await UnixSignalsSequence(trapping: .sigterm, .sigint, .sigquit)
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
        // One pass and out: nothing would ever handle a watch's events, so no user directory is watched (10,000
        // inotify_add_watch calls and their reader in a first pass over 10,000 users).
        configuration.watchFiles = !once
        configuration.stateDirectory = deployment.stateDirectory
        configuration.allowSpecialCharacterNames = deployment.condorKnobs?.allowSpecialCharacterNames ?? false
        // Bootstrapped before the monitor makes its metric handles; never when metrics are off.
        let exporter = metrics.isOn ? MetricsExporter.bootstrapped() : nil
        configuration.metrics = exporter != nil
        configuration.metricsPerUser = metrics.perUser
        configuration.notifyCommand = notifications.notifyCommand
        configuration.expiryWarnings = notifications.expiryWarnings
        if let program = notifications.notifyCommand?.argv.first, access(program, X_OK) != 0 {
            logger.error("The notification command is not an executable file; notifications fail until it is", metadata: [
                "credmon.command": "\(program)", "credmon.error": "\(String(cString: strerror(errno)))",
            ])
        }
        logger.debug("Monitor settings", metadata: [
            "credmon.scan_interval": "\(scanInterval)", "credmon.max_concurrent": "\(maxConcurrent)",
            "credmon.deep_pass_every": "\(configuration.deepPassEvery)", "credmon.once": "\(once)",
        ])
        let resolved = deployment
        let logger = self.logger
        let textfile = exporter.flatMap { exporter in metrics.textfile.map { MetricsTextfileWriter(path: $0, exporter: exporter, logger: logger) } }
        let monitor = Monitor(configuration: configuration, providers: loaded.table, logger: logger, reload: { [self] current in
            let fresh = LocationOptions.loadProviders(resolved, createMissingKeys: true, http: http, logger: logger, knobsRead: knobsRead)
            report(fresh)
            return fresh.table.keepingPrevious(current, forFailedFiles: fresh.failedFiles)
        }, onPassComplete: { _ in textfile?.passCompleted() })
        let status = StatusWriter(monitor: monitor, stateDirectory: deployment.stateDirectory,
                                  credentialDirectory: deployment.credentialDirectory, logger: logger)
        if once {
            try? await monitor.run()
            await status.writeNow()
            logger.info("One pass done; exiting")
            return 0
        }
        // Every service is named: without a name, ServiceConfiguration describes the service by reflecting over all of
        // its stored properties, which was a twelfth of the daemon's start-up.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            // First in the list, so last to shut down: the monitor's last requests still have their client.
            .init(service: http, serviceName: "http-client"),
            .init(service: monitor, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "monitor"),
            .init(service: HangupListener(signals: hangups, monitor: monitor, log: log, logger: logger), serviceName: "hangups"),
            .init(service: status, serviceName: "status-file"),
        ]
        if let exporter, let address = metrics.listen {
            do {
                services.append(.init(service: try await MetricsEndpoint.start(address, exporter: exporter, logger: logger),
                                      serviceName: "metrics-endpoint"))
            } catch {
                return fatal("Cannot serve metrics", error)
            }
        }
        let group = ServiceGroup(configuration: .init(
            services: services,
            logger: Logger(label: "credmon.lifecycle", factory: { _ in SwiftLogNoOpLogHandler() })))
        do {
            let stopListener = Task {
                guard let stops else { return }
                for await _ in stops {
                    await group.triggerGracefulShutdown()
                    return
                }
            }
            defer { stopListener.cancel() }
            try await group.run()
        } catch {
            logger.error("Stopped with an error", metadata: ["credmon.error": "\(error)"])
            return 1
        }
        logger.info("Stopped")
        return 0
    }

    /// Logs why the daemon does not start and returns its exit status (1). condor_master records a daemon's exit
    /// status and standard error, so the message also goes there when the log is a file.
    func fatal(_ message: Logger.Message, _ error: Any) -> Int32 {
        logger.critical(message, metadata: ["credmon.error": "\(error)"])
        if !log.writesToStandardError {
            StandardError.write("credmon: \(message): \(error)\n")
        }
        return 1
    }

    /// What to do with HTCondor's knobs each time they are read (start, SIGHUP): `<NAME>_DEBUG` sets the log level.
    func knobsObserver() -> @Sendable (CondorKnobs) -> Void {
        let logger = self.logger
        let control = levelControl
        let debugFlag = self.debugFlag
        return { knobs in
            if let control {
                let level = LogLevelControl.level(debugFlag: debugFlag, debugFlags: knobs.debugFlags)
                if control.level != level {
                    control.level = level
                    logger.info("Log level set by \(CondorKnobs.debugKnob(daemonName: knobs.daemonName))", metadata: [
                        "credmon.level": "\(level)", "credmon.debug_flags": "\(knobs.debugFlags ?? "")",
                    ])
                }
            }
            logger.debug("Read HTCondor's configuration", metadata: [
                "credmon.origin": "\(knobs.origin)", "credmon.subsystem": "\(knobs.daemonName)",
                "credmon.debug_flags": "\(knobs.debugFlags ?? "")",
            ])
        }
    }

    /// Logs the provider table and every fragment error.
    func report(_ loaded: ProviderTable.LoadResult) {
        for error in loaded.errors {
            let metadata: Logger.Metadata = ["credmon.error": "\(error)"]
            if loaded.failedFiles.contains(error.file) {
                logger.error("Provider fragment rejected; fix it and send SIGHUP", metadata: metadata)
            } else if error.isWarning {
                logger.warning("Provider configuration warning; the provider is served", metadata: metadata)
            } else {
                logger.error("Provider configuration ignored; the provider is served without it, fix it and send SIGHUP", metadata: metadata)
            }
        }
        logger.info("Providers loaded", metadata: ["credmon.providers": "\(loaded.table.names.joined(separator: ","))"])
    }

    /// In local mode, on a fresh directory, write `<me>/scitokens.top` as condor_credd would, so the first run shows
    /// a token being issued.
    func seedDemoCredential(table: ProviderTable, credentialDirectory: String) {
        let catalog = HostCatalog.catalog
        guard let service = table.names.first(where: { name in
            table.provider(for: name).flatMap { catalog.kind(named: $0.profile.kind) }?.credentialType == .localIssuer
        }) else { return }
        let user = ProcessInfo.processInfo.environment["USER"].flatMap { CredentialNames.isValidUser($0) ? $0 : nil } ?? "demo"
        let userPath = credentialDirectory + "/" + user
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
