import ArgumentParser
import Engine
import FoundationEssentials
import LocalSciToken
import Logging
import Signers

/// `credmon keygen`: create the P-256 signing key pair of a local issuer (or of explicit paths).
struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create missing P-256 signing keys (private 0600 SEC1 PEM, public 0644 SPKI PEM).")

    @OptionGroup var locations: LocationOptions

    @Option(name: .customLong("private-key"), help: "Create this private key instead of the fragments' keys.")
    var privateKey: String?

    @Option(name: .customLong("public-key"), help: "With --private-key: where to write the public key.")
    var publicKey: String?

    func validate() throws {
        if privateKey != nil && publicKey == nil { throw ValidationError("--private-key needs --public-key") }
    }

    func run() async throws {
        var pairs: [(String, String)] = []
        if let privateKey, let publicKey {
            pairs = [(privateKey, publicKey)]
        } else {
            let logger = Logger(label: "credmon.keygen", factory: { _ in SwiftLogNoOpLogHandler() })
            let loaded = LocationOptions.loadProviders(locations.deployment(), createMissingKeys: false, logger: logger)
            for name in loaded.table.names {
                guard let local = loaded.table.provider(for: name) as? LocalSciTokenProvider, local.configuration.algorithm == .es256 else { continue }
                pairs.append((local.configuration.privateKeyPath, local.configuration.publicKeyPath))
            }
            if pairs.isEmpty { print("no ES256 local issuer configured; nothing to do") }
        }
        for (privatePath, publicPath) in pairs {
            do {
                switch try KeyPairGenerator.ensureKeyPair(privateKeyPath: privatePath, publicKeyPath: publicPath) {
                case .created: print("created \(privatePath) and \(publicPath)")
                case .alreadyExists: print("kept existing \(privatePath)")
                }
            } catch {
                throw ValidationError(error.description)
            }
        }
    }
}
