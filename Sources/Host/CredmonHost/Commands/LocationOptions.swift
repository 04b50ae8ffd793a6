import ArgumentParser
import CondorConfig
import Engine
import FoundationEssentials
import Glibc
import Logging

/// Where the credential directory, the fragments, the state and the keys are.
struct LocationOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("cred-dir")], help: "The credential directory (SEC_CREDENTIAL_DIRECTORY_OAUTH).")
    var credentialDirectory: String?

    @Option(name: .customLong("providers-dir"), help: "Directory of provider fragments (*.yaml).")
    var providersDirectory: String?

    @Option(name: .customLong("state-dir"), help: "Root-only directory for Credmon's own state (status file).")
    var stateDirectory: String?

    @Option(name: .customLong("key-dir"), help: "Directory of signing keys whose fragment gives no path.")
    var keyDirectory: String?

    @Option(name: [.customShort("n"), .customLong("name")],
            help: "Daemon name, as HTCondor's -n: the configuration is read as subsystem NAME (NAME.X overrides X; selects <NAME>_LOG, <NAME>_DEBUG).")
    var daemonName: String = "CREDMON_OAUTH"

    @Option(name: .customLong("condor-config-val"),
            help: "HTCondor's condor_config_val (default: $CREDMON_CONDOR_CONFIG_VAL, else the PATH and, under HTCondor, /usr/bin, /usr/local/bin, /opt/condor/bin, $CONDOR_LOCATION/bin; none outside HTCondor = local mode).")
    var condorConfigVal: String?

    func deployment(logFile: String? = nil) -> Deployment {
        Deployment.resolve(credentialDirectory: credentialDirectory, providersDirectory: providersDirectory,
                           stateDirectory: stateDirectory, keyDirectory: keyDirectory, logFile: logFile,
                           daemonName: daemonName.uppercased(),
                           condor: CondorConfiguration.detect(explicit: condorConfigVal))
    }

    /// Loads the provider table: `providers.d/` fragments plus HTCondor's knobs (a fragment wins).
    /// - Parameters:
    ///   - http: the HTTP client the providers send through (nil: they send nothing, as for `credmon check`).
    ///   - knobsRead: called with the knobs in force after the (re)read, when HTCondor's configuration is used.
    static func loadProviders(_ deployment: Deployment, createMissingKeys: Bool, http: (any HTTPClient)? = nil,
                              logger: Logger, knobsRead: ((CondorKnobs) -> Void)? = nil) -> ProviderTable.LoadResult {
        let effective = loadEffective(deployment, createMissingKeys: createMissingKeys, http: http, logger: logger, knobsRead: knobsRead)
        return ProviderTable.LoadResult(table: effective.table, errors: effective.errors, failedFiles: effective.failedFiles)
    }

    /// The effective table and what HTCondor's configuration said (for `credmon check`). Re-reads the knobs through
    /// `condor_config_val` (as the daemon's subsystem) when they were read at start (a SIGHUP is HTCondor's reconfig).
    static func loadEffective(_ deployment: Deployment, createMissingKeys: Bool, http: (any HTTPClient)? = nil,
                              logger: Logger, knobsRead: ((CondorKnobs) -> Void)? = nil) -> EffectiveProviders {
        var knobs = deployment.condorKnobs
        var condorErrors: [ConfigurationError] = []
        defer { if let knobs { knobsRead?(knobs) } }
        if let start = deployment.condorKnobs, let tool = deployment.condorConfigVal {
            do {
                knobs = try CondorKnobs.read(from: ConfigValTool(path: tool).reading(asSubsystem: start.daemonName),
                                             daemonName: start.daemonName)
            } catch {
                condorErrors.append(ConfigurationError(file: tool, problem: "cannot read HTCondor's configuration: \(error)",
                                                       fix: "the knobs read at start stay in force; fix the configuration and send SIGHUP"))
            }
        }
        let context = ProviderBuildContext(keyDirectory: deployment.keyDirectory, resolveHostName: hostName,
                                           createMissingKeys: createMissingKeys,
                                           allowSpecialCharacterNames: knobs?.allowSpecialCharacterNames ?? false,
                                           http: http, logger: logger)
        // Under HTCondor the knobs alone are a complete configuration: a providers.d that does not exist is empty.
        let fragments = knobs != nil && !FileManager.default.fileExists(atPath: deployment.providersDirectory)
            ? ProviderTable.LoadResult(table: ProviderTable(), errors: [], failedFiles: [])
            : ProviderTable.load(directory: deployment.providersDirectory, catalog: HostCatalog.catalog, context: context)
        var effective = EffectiveProviders.merge(fragments: fragments, knobs: knobs, catalog: HostCatalog.catalog, context: context)
        effective.errors.insert(contentsOf: condorErrors, at: 0)
        return effective
    }

    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        let short = String(cString: buffer)
        var hints = addrinfo()
        hints.ai_flags = AI_CANONNAME
        var result: UnsafeMutablePointer<addrinfo>?
        if getaddrinfo(short, nil, &hints, &result) == 0, let result {
            defer { freeaddrinfo(result) }
            if let canonical = result.pointee.ai_canonname { return String(cString: canonical) }
        }
        return short
    }
}
