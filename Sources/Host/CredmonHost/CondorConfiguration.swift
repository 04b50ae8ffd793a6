import Engine
import CondorConfig
import FoundationEssentials

/// HTCondor's configuration, read through `condor_config_val` (HTCondor's own parser) when HTCondor is installed.
public struct CondorConfiguration: Sendable {
    /// The `condor_config_val` tool.
    public var tool: ConfigValTool

    public init(tool: ConfigValTool) { self.tool = tool }

    /// Finds `condor_config_val`: the `--condor-config-val` flag, `$CREDMON_CONDOR_CONFIG_VAL`, then the PATH (and,
    /// under HTCondor, the places HTCondor installs it: ``ConfigValTool/searchDirectories(environment:)``); nil when
    /// it is not found.
    public static func detect(explicit: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> CondorConfiguration? {
        ConfigValTool.locate(explicit: explicit, environment: environment).map(CondorConfiguration.init)
    }

    /// The knobs Credmon reads, for daemon `daemonName` (`-n`), read as HTCondor's subsystem `daemonName` (so
    /// `<NAME>.X = v` overrides `X`, as for the Python credmon).
    public func knobs(daemonName: String) throws(CondorConfigError) -> CondorKnobs {
        try CondorKnobs.read(from: tool.reading(asSubsystem: daemonName), daemonName: daemonName)
    }

    /// Why condor_config_val is required but missing, with the fix; nil when it is not required (neither
    /// `CONDOR_INHERIT` nor `CONDOR_CONFIG` is set: local mode is allowed).
    public static func missingToolProblem(environment: [String: String] = ProcessInfo.processInfo.environment,
                                          daemonName: String = "CREDMON_OAUTH") -> String? {
        guard let context = ConfigValTool.htcondorContext(environment: environment) else { return nil }
        let searched = ConfigValTool.searchDirectories(environment: environment).joined(separator: ":")
        return "HTCondor's condor_config_val was not found, but \(context), so HTCondor's configuration must be read "
            + "(Credmon never falls back to its local ./.credmon mode under HTCondor); searched \(searched). "
            + "Install HTCondor's tools in one of those directories, or name the tool: "
            + "\(daemonName)_ARGS = --condor-config-val /path/to/condor_config_val in HTCondor's configuration "
            + "(or \(ConfigValTool.environmentVariable)=/path/to/condor_config_val in the environment)"
    }
}
