import Engine
import CondorConfig
import Foundation

/// HTCondor's configuration, read through `condor_config_val` (HTCondor's own parser) when HTCondor is installed.
public struct CondorConfiguration: Sendable {
    /// The `condor_config_val` tool.
    public var tool: ConfigValTool

    public init(tool: ConfigValTool) { self.tool = tool }

    /// Finds `condor_config_val`: the `--condor-config-val` flag, `$CREDMON_CONDOR_CONFIG_VAL`, then the PATH; nil
    /// when HTCondor is not in sight (local mode).
    public static func detect(explicit: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> CondorConfiguration? {
        ConfigValTool.locate(explicit: explicit, environment: environment).map(CondorConfiguration.init)
    }

    /// The knobs Credmon reads, for daemon `daemonName` (`-n`).
    public func knobs(daemonName: String) throws(CondorConfigError) -> CondorKnobs {
        try CondorKnobs.read(from: tool, daemonName: daemonName)
    }
}
