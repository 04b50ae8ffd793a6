import Engine
import CondorConfig
import FoundationEssentials

/// Where things live: resolved from the flags, then HTCondor's configuration, then a local development default (only
/// outside HTCondor: neither `CONDOR_INHERIT` nor `CONDOR_CONFIG` set).
public struct Deployment: Sendable, Equatable {
    public var credentialDirectory: String
    public var providersDirectory: String
    public var stateDirectory: String
    public var keyDirectory: String
    /// Nil means standard error.
    public var logFile: String?
    /// True when nothing pointed at HTCondor and the local state directory is used.
    public var isLocalMode: Bool
    /// HTCondor's knobs as read at start (nil without HTCondor); providers are also built from them.
    public var condorKnobs: CondorKnobs? = nil
    /// The `condor_config_val` the knobs came from, to read them again on SIGHUP.
    public var condorConfigVal: String? = nil
    /// Why HTCondor's configuration could not be used although condor_config_val was found (reported by
    /// `credmon check`; the daemon then refuses to start rather than run in local mode under condor_master).
    public var condorProblem: String? = nil
    /// Why HTCondor's configuration is required but condor_config_val was not found (HTCondor started this process
    /// or names its configuration): the daemon and `credmon check` refuse, naming the fix.
    public var missingConfigVal: String? = nil

    /// Production defaults (HTCondor in sight).
    public static let systemProvidersDirectory = "/etc/credmon/providers.d"
    public static let systemStateDirectory = "/var/lib/credmon"
    public static let systemKeyDirectory = "/etc/condor"

    /// Resolves the locations from explicit flags (nil = not given).
    public static func resolve(
        credentialDirectory: String?,
        providersDirectory: String?,
        stateDirectory: String?,
        keyDirectory: String?,
        logFile: String?,
        daemonName: String,
        condor: CondorConfiguration? = CondorConfiguration.detect(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Deployment {
        let explicitLog = logFile.flatMap { $0 == "-" ? nil : $0 }
        if condor == nil, let missing = CondorConfiguration.missingToolProblem(environment: environment, daemonName: daemonName) {
            // Under HTCondor without its configuration: nothing is resolved, and nothing local is used.
            return Deployment(
                credentialDirectory: credentialDirectory ?? "(unknown: HTCondor's configuration was not read)",
                providersDirectory: providersDirectory ?? systemProvidersDirectory,
                stateDirectory: stateDirectory ?? systemStateDirectory,
                keyDirectory: keyDirectory ?? systemKeyDirectory,
                logFile: explicitLog, isLocalMode: false, missingConfigVal: missing)
        }
        var knobs: CondorKnobs?
        var problem: String?
        if let condor {
            do { knobs = try condor.knobs(daemonName: daemonName) } catch { problem = error.description }
        }
        if let knobs, let directory = credentialDirectory ?? knobs.credentialDirectory {
            return Deployment(
                credentialDirectory: directory,
                providersDirectory: providersDirectory ?? systemProvidersDirectory,
                stateDirectory: stateDirectory ?? systemStateDirectory,
                keyDirectory: keyDirectory ?? systemKeyDirectory,
                logFile: logFile == nil ? knobs.logFile : explicitLog, isLocalMode: false,
                condorKnobs: knobs, condorConfigVal: condor?.tool.path)
        }
        if let condor, knobs != nil {
            problem = "HTCondor's configuration (read through \(condor.tool.path)) sets neither SEC_CREDENTIAL_DIRECTORY_OAUTH nor SEC_CREDENTIAL_DIRECTORY; set one (use feature : OAUTH does) or pass -c"
        }
        if let credentialDirectory {
            return Deployment(
                credentialDirectory: credentialDirectory,
                providersDirectory: providersDirectory ?? localProvidersDirectory() ?? systemProvidersDirectory,
                stateDirectory: stateDirectory ?? systemStateDirectory,
                keyDirectory: keyDirectory ?? systemKeyDirectory,
                logFile: explicitLog, isLocalMode: false, condorProblem: problem)
        }
        let base = FileManager.default.currentDirectoryPath + "/.credmon"
        return Deployment(
            credentialDirectory: base + "/credentials",
            providersDirectory: providersDirectory ?? localProvidersDirectory() ?? systemProvidersDirectory,
            stateDirectory: stateDirectory ?? base + "/state",
            keyDirectory: keyDirectory ?? base + "/keys",
            logFile: explicitLog, isLocalMode: true, condorProblem: problem)
    }

    /// `./providers.d`, else the `providers.d` of the source checkout this binary was built in.
    static func localProvidersDirectory() -> String? {
        let fileManager = FileManager.default
        var isDirectory = false
        let here = fileManager.currentDirectoryPath + "/providers.d"
        if fileManager.fileExists(atPath: here, isDirectory: &isDirectory), isDirectory { return here }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("providers.d").path
            if fileManager.fileExists(atPath: directory.appendingPathComponent("Package.swift").path),
               fileManager.fileExists(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }
}
