import ArgumentParser
import CondorConfig
import Engine
import FoundationEssentials
import Glibc

/// `credmon import-condor-config --out DIR`: writes `providers.d/` fragments equivalent to HTCondor's knobs.
struct ImportCondorConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-condor-config",
        abstract: "Write providers.d fragments equivalent to the provider knobs of HTCondor's configuration (one per service).")

    @OptionGroup var locations: LocationOptions

    @Option(name: .customLong("out"), help: "Directory to write <service>.yaml files into (created if missing).")
    var outputDirectory: String

    @Flag(name: .customLong("force"), help: "Overwrite existing fragments.")
    var force = false

    func run() throws {
        guard let condor = CondorConfiguration.detect(explicit: locations.condorConfigVal) else {
            throw ValidationError("condor_config_val not found: pass --condor-config-val PATH or put HTCondor's tools on the PATH")
        }
        let knobs: CondorKnobs
        do { knobs = try condor.knobs(daemonName: locations.daemonName.uppercased()) } catch {
            throw ValidationError("cannot read HTCondor's configuration: \(error)")
        }
        let translation = KnobTranslator(knobs: knobs, catalog: HostCatalog.catalog).translate()
        try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        var problems = 0
        for fragment in translation.fragments {
            // The provider of every unclaimed service ("*") gets a file name a shell need not quote.
            let stem = fragment.service == ProviderTable.wildcard ? "\(fragment.kind)-wildcard" : fragment.service
            let path = PathText.appending(outputDirectory, "\(stem).yaml")
            if FileManager.default.fileExists(atPath: path) && !force {
                throw ValidationError("\(path) exists; pass --force to overwrite it")
            }
            try Data(fragment.yamlText(origin: condor.tool.path).utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o644)
            print("wrote \(path) (kind \(fragment.kind))")
            for problem in fragment.problems {
                problems += 1
                print("  not imported: \(problem)")
            }
        }
        for (service, type) in translation.unserved {
            print("skipped \(service): condor_credd treats it as a \(type.rawValue) service, which Credmon does not serve")
        }
        if translation.fragments.isEmpty { print("HTCondor's configuration names no service Credmon serves") }
        if problems > 0 { throw ExitCode.failure }
    }
}
