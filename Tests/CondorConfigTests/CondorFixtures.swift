import CondorConfig
import CredmonHost
import CredmonTestKit
import Engine
import Foundation
import Logging

/// The real-world HTCondor configurations under Fixtures/configs, read by the test condor_config_val (HTCondor's own
/// parser from PyPI's htcondor).
enum CondorFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static let configValTool = root + "/bin/condor_config_val"
    static let keyFileGenerator = root + "/make_key_file.py"

    static func configFile(_ name: String) -> String { root + "/configs/\(name)/condor_config" }

    /// The tool for a fixture, with `_CONDOR_*` overrides (HTCondor's environment overrides).
    static func tool(_ name: String, overrides: [String: String] = [:]) -> ConfigValTool {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("_CONDOR_") }
        environment["CONDOR_CONFIG"] = configFile(name)
        for (key, value) in overrides { environment["_CONDOR_\(key)"] = value }
        return ConfigValTool(path: configValTool, environment: environment)
    }

    static func knobs(_ name: String, overrides: [String: String] = [:]) throws -> CondorKnobs {
        try CondorKnobs.read(from: tool(name, overrides: overrides))
    }

    /// FULL_HOSTNAME as HTCondor computes it on this machine.
    static func fullHostname() throws -> String {
        try tool("seed-readme").value("FULL_HOSTNAME") ?? "localhost"
    }

    static func context(keyDirectory: String, allowSpecial: Bool = false) -> ProviderBuildContext {
        ProviderBuildContext(keyDirectory: keyDirectory, hostName: "ap.example.org", createMissingKeys: false,
                             allowSpecialCharacterNames: allowSpecial, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// The effective table of knobs plus a providers directory (empty when nil).
    static func effective(_ knobs: CondorKnobs?, providers: String? = nil, keys: TemporaryDirectory) throws -> EffectiveProviders {
        let directory = providers ?? keys.file("empty-providers.d")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let context = context(keyDirectory: keys.path)
        let fragments = ProviderTable.load(directory: directory, catalog: HostCatalog.catalog, context: context)
        return EffectiveProviders.merge(fragments: fragments, knobs: knobs, catalog: HostCatalog.catalog, context: context)
    }

    /// A client secret file as condor_credd wants it (mode 0600).
    static func secretFile(in directory: TemporaryDirectory, _ name: String) throws -> String {
        let path = try directory.write("secrets/\(name)", "s3cret-\(name)\n")
        chmod(path, 0o600)
        return path
    }

    /// A comparable picture of a table: service → kind and settings.
    static func summary(_ table: ProviderTable) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for name in table.names {
            guard let profile = table.provider(for: name)?.profile else { continue }
            result[name] = ["kind=\(profile.kind)"] + profile.settings.map { "\($0.key)=\($0.value)" }
        }
        return result
    }

    static func setting(_ table: ProviderTable, _ service: String, _ key: String) -> String? {
        table.provider(for: service)?.profile.settings.first { $0.key == key }?.value
    }
}
