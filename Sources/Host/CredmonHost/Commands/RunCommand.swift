import ArgumentParser
import Engine
import FoundationEssentials
import Logging
import ServiceLifecycle

/// `credmon run` (the default): the daemon condor_master starts.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the credential monitor (the default; what condor_master starts).")

    @OptionGroup var locations: LocationOptions

    @Option(name: [.customShort("l"), .customLong("log-file")], help: "Log file ('-' = standard error).")
    var logFile: String?

    @Flag(name: [.customShort("d"), .customLong("debug")], help: "Log debug messages (as <NAME>_DEBUG = D_FULLDEBUG does).")
    var debug = false

    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Also log to standard error.")
    var verbose = false

    @Option(name: .customLong("scan-interval"), help: "Seconds between full passes (safety net behind inotify).")
    var scanInterval: Double = 60

    @Option(name: .customLong("max-concurrent"), help: "Credentials worked on at once over all providers (each provider's max_concurrent also bounds its own calls).")
    var maxConcurrent: Int = 64

    @Flag(name: .customLong("once"), help: "Run one full pass and exit.")
    var once = false

    @Option(name: .customLong("metrics-listen"),
            help: "Serve Prometheus metrics at http://HOST:PORT/metrics (PORT alone: 127.0.0.1; default: knob CREDMON_METRICS_LISTEN, else off).")
    var metricsListen: String?

    @Option(name: .customLong("metrics-textfile"),
            help: "Write the metrics to PATH after every pass, for node_exporter's textfile collector (default: knob CREDMON_METRICS_TEXTFILE, else off).")
    var metricsTextfile: String?

    @Flag(name: .customLong("metrics-per-user"),
          help: "Label the credential-health metrics by user (one series per user; default: knob CREDMON_METRICS_PER_USER, else off).")
    var metricsPerUser = false

    @Option(name: .customLong("notify-command"),
            help: "Run PATH (no shell, no arguments) when a credential is expiring, expired, revoked or in order again, where a fragment's notify_command names none (default: knob CREDMON_NOTIFY_COMMAND).")
    var notifyCommand: String?

    @Option(name: .customLong("expiry-warnings"),
            help: "Seconds before a credential's expiry at which to warn, comma-separated (default: knob CREDMON_EXPIRY_WARNINGS, else 604800,86400).")
    var expiryWarnings: String?

    func validate() throws {
        if let notifyCommand, let problem = NotifyCommand.problem(with: [notifyCommand]) {
            throw ValidationError("--notify-command \(problem)")
        }
        if let expiryWarnings, case .failure(let problem) = ExpiryPolicy.parseWarnings(expiryWarnings) {
            throw ValidationError("--expiry-warnings: \(problem)")
        }
        guard scanInterval >= 1 else { throw ValidationError("--scan-interval must be at least 1 second") }
        guard (1...1024).contains(maxConcurrent) else { throw ValidationError("--max-concurrent must be from 1 to 1024") }
        if let metricsListen, case .failure(let error) = MetricsAddress.parse(metricsListen) {
            throw ValidationError("--metrics-listen: \(error)")
        }
        if metricsTextfile?.isEmpty == true { throw ValidationError("--metrics-textfile needs a path") }
    }

    func run() async throws {
        let deployment = locations.deployment(logFile: logFile)
        let destination: LogDestination
        if let path = deployment.logFile {
            do {
                destination = try LogDestination(path: path, alsoStderr: verbose)
            } catch {
                StandardError.write("credmon: \(error)\n")
                guard verbose else { throw ExitCode(44) }
                destination = LogDestination()
            }
        } else {
            destination = LogDestination()
        }
        // -d, or HTCondor's <NAME>_DEBUG asking for D_FULLDEBUG (read again on SIGHUP).
        let control = LogLevelControl(LogLevelControl.level(debugFlag: debug, debugFlags: deployment.condorKnobs?.debugFlags))
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, destination: destination, control: control) }
        let logger = Logger(label: "credmon")
        let listenFlag = metricsListen.flatMap { try? MetricsAddress.parse($0).get() }
        let metrics = MetricsSettings.resolve(listenFlag: listenFlag, textfileFlag: metricsTextfile, perUserFlag: metricsPerUser,
                                              knobs: deployment.condorKnobs)
        for problem in metrics.problems {
            logger.error("Metrics knob ignored; fix it and restart", metadata: ["credmon.error": "\(problem)"])
        }
        let notifications = NotificationSettings.resolve(commandFlag: notifyCommand, warningsFlag: expiryWarnings, knobs: deployment.condorKnobs)
        for problem in notifications.problems {
            logger.error("Notification knob ignored; fix it and restart", metadata: ["credmon.error": "\(problem)"])
        }
        let daemon = Daemon(deployment: deployment, logger: logger, log: destination,
                            scanInterval: scanInterval, maxConcurrent: maxConcurrent, once: once,
                            levelControl: control, debugFlag: debug, metrics: metrics.settings,
                            notifications: notifications.settings)
        let code = await daemon.run()
        if code != 0 { throw ExitCode(code) }
    }
}
