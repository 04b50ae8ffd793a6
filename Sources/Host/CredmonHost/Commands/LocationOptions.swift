import ArgumentParser
import Engine
import Foundation
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

    @Option(name: [.customShort("n"), .customLong("name")], help: "Daemon name, as HTCondor's -n (selects <NAME>_LOG).")
    var daemonName: String = "CREDMON_OAUTH"

    func deployment(logFile: String? = nil) -> Deployment {
        Deployment.resolve(credentialDirectory: credentialDirectory, providersDirectory: providersDirectory,
                           stateDirectory: stateDirectory, keyDirectory: keyDirectory, logFile: logFile,
                           daemonName: daemonName.uppercased())
    }

    /// Loads the provider table.
    static func loadProviders(_ deployment: Deployment, createMissingKeys: Bool, logger: Logger) -> ProviderTable.LoadResult {
        let context = ProviderBuildContext(keyDirectory: deployment.keyDirectory, hostName: hostName(),
                                           createMissingKeys: createMissingKeys, logger: logger)
        return ProviderTable.load(directory: deployment.providersDirectory, kinds: supportedProviderKinds, context: context)
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
