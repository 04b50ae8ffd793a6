import ArgumentParser
import CondorConfig
import Engine
import FoundationEssentials
import Logging

/// `credmon check`: validate `providers.d/` and print the provider table.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate providers.d and HTCondor's knobs, print the provider table and cross-check it with condor_credd's view (exit 1 on any error).")

    @OptionGroup var locations: LocationOptions

    func run() async throws {
        let deployment = locations.deployment()
        if let missing = deployment.missingConfigVal {
            var standardError = StandardError()
            print("HTCondor configuration: not read", to: &standardError)
            print("1 error:\n  \(missing)", to: &standardError)
            throw ExitCode.failure
        }
        let logger = Logger(label: "credmon.check", factory: { _ in SwiftLogNoOpLogHandler() })
        let loaded = LocationOptions.loadEffective(deployment, createMissingKeys: false, logger: logger)
        print("providers directory: \(deployment.providersDirectory)")
        print("credential directory: \(deployment.credentialDirectory)")
        if let tool = deployment.condorConfigVal {
            print("HTCondor configuration: \(tool) -subsystem \(locations.daemonName.uppercased())")
        } else if let problem = deployment.condorProblem {
            print("HTCondor configuration: not read (\(problem))")
        } else {
            print("HTCondor configuration: none (condor_config_val not found; local mode)")
        }
        print("")
        for name in loaded.table.names {
            guard let entry = loaded.table.entries[name] else { continue }
            let profile = entry.provider.profile
            print("\(name)  (kind \(profile.kind), from \(entry.file))")
            let settings = profile.settings + entry.expiry.settings
            let width = settings.map(\.key.count).max() ?? 0
            for setting in settings {
                print("    " + setting.key.padded(toLength: width) + "  " + setting.value)
            }
            print("")
        }
        if loaded.table.names.isEmpty { print("no providers configured\n") }
        var failingFindings = 0
        if let knobs = deployment.condorKnobs {
            let sorter = loaded.sorter ?? CredSorter(knobs: knobs)
            print("condor_credd routing:")
            for (service, type) in sorter.namedServices {
                let provider = loaded.table.provider(for: service).map { "Credmon provider of kind \($0.profile.kind)" } ?? "no Credmon provider"
                print("    \(service): \(type.rawValue) -> \(provider)")
            }
            print("")
            let findings = CondorCrossCheck(knobs: knobs, effective: loaded, credentialDirectory: deployment.credentialDirectory,
                                            catalog: HostCatalog.catalog).findings()
            for finding in findings { print(finding.description) }
            if !findings.isEmpty { print("") }
            failingFindings = findings.filter { $0.severity == .error }.count
        }
        let warnings = loaded.errors.filter(\.isWarning)
        let errors = loaded.errors.filter { !$0.isWarning }
        if !warnings.isEmpty {
            print("\(warnings.count) warning\(warnings.count == 1 ? "" : "s") (the providers are served as configured):")
            for warning in warnings { print("  \(warning)") }
            print("")
        }
        guard errors.isEmpty, failingFindings == 0 else {
            var standardError = StandardError()
            print("\(errors.count) error\(errors.count == 1 ? "" : "s"):", to: &standardError)
            for error in errors { print("  \(error)", to: &standardError) }
            if failingFindings > 0 { print("\(failingFindings) cross-check error\(failingFindings == 1 ? "" : "s") (above)", to: &standardError) }
            throw ExitCode.failure
        }
        print("OK: \(loaded.table.names.count) provider\(loaded.table.names.count == 1 ? "" : "s")")
    }
}

