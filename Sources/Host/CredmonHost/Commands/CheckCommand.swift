import ArgumentParser
import Engine
import Foundation
import Logging

/// `credmon check`: validate `providers.d/` and print the provider table.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the provider fragments and print the provider table (exit 1 on any error).")

    @OptionGroup var locations: LocationOptions

    func run() async throws {
        let deployment = locations.deployment()
        let logger = Logger(label: "credmon.check", factory: { _ in SwiftLogNoOpLogHandler() })
        let loaded = LocationOptions.loadProviders(deployment, createMissingKeys: false, logger: logger)
        print("providers directory: \(deployment.providersDirectory)")
        print("credential directory: \(deployment.credentialDirectory)\n")
        for name in loaded.table.names {
            guard let entry = loaded.table.entries[name] else { continue }
            let profile = entry.provider.profile
            print("\(name)  (kind \(profile.kind), from \(entry.file))")
            let width = profile.settings.map(\.key.count).max() ?? 0
            for setting in profile.settings {
                print("    " + setting.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + setting.value)
            }
            print("")
        }
        if loaded.table.names.isEmpty { print("no providers configured\n") }
        guard loaded.errors.isEmpty else {
            var standardError = FileHandle.standardError
            print("\(loaded.errors.count) error\(loaded.errors.count == 1 ? "" : "s"):", to: &standardError)
            for error in loaded.errors { print("  \(error)", to: &standardError) }
            throw ExitCode.failure
        }
        print("OK: \(loaded.table.names.count) provider\(loaded.table.names.count == 1 ? "" : "s")")
    }
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}
