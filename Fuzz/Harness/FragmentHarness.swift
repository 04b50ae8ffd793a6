import CredmonHost
import Engine
import Foundation
import Logging
import Signers

/// `fragment`: a `providers.d/*.yaml` fragment, read as the daemon reads it (`ProviderTable.load` over a directory
/// holding it, with the daemon's catalog of kinds, `HostCatalog.catalog`), then given to every kind's reader in turn
/// whatever its `kind:` says (the same steps as `ProviderTable`'s fragment loading: compose, `FragmentReader`,
/// `name` and `kind` read, then `makeProvider`).
///
/// Nothing is created outside a private temporary directory: keys are never generated (`createMissingKeys` false;
/// a local issuer without its key gets a throw-away one in the temporary directory, as `credmon check` does).
enum FragmentHarness {
    /// The per-process directory: `providers.d/` with the fragment, `keys/` with a key for the services `fuzz` and
    /// `scitokens` (so the seeds reach a loaded key).
    static let workDirectory: String = {
        let directory = NSTemporaryDirectory() + "credmon-fuzz-fragment-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory + "/providers.d", withIntermediateDirectories: true)
        for name in ["fuzz", "scitokens"] {
            _ = try? KeyPairGenerator.ensureKeyPair(privateKeyPath: "\(directory)/keys/\(name)-private.pem",
                                                    publicKeyPath: "\(directory)/keys/\(name).pem")
        }
        atexit { try? FileManager.default.removeItem(atPath: FragmentHarness.workDirectory) }
        return directory
    }()

    static let context = ProviderBuildContext(
        keyDirectory: workDirectory + "/keys", hostName: "ap.example.org", createMissingKeys: false,
        allowSpecialCharacterNames: false, readsClientSecrets: true,
        logger: Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() }))

    static func check(_ bytes: [UInt8]) throws(FuzzViolation) {
        let directory = workDirectory + "/providers.d"
        let path = directory + "/fuzz.yaml"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw FuzzViolation("cannot write \(path)")
        }
        // 1. The daemon's way: the directory, the fragment's own kind.
        let result = ProviderTable.load(directory: directory, catalog: HostCatalog.catalog, context: context)
        try fuzzExpect(result.table.entries.count + result.failedFiles.count == 1,
                       "one fragment gave \(result.table.entries.count) providers and \(result.failedFiles.count) failed files")
        try fuzzExpect(result.failedFiles.isEmpty == result.errors.isEmpty,
                       "failed files \(result.failedFiles) but errors \(result.errors)")
        for error in result.errors { _ = error.description }
        for (name, entry) in result.table.entries {
            try fuzzExpect(entry.provider.profile.name == name, "provider \(entry.provider.profile.name) filed under \(name)")
        }

        // 2. Every kind's reader on the same mapping.
        guard bytes.count <= 1 << 20, let text = String(data: Data(bytes), encoding: .utf8),
              let node = try? YAMLReader.compose(yaml: text), case .mapping(let mapping) = node else { return }
        for kind in HostCatalog.catalog.kinds {
            var fragment = FragmentReader(file: path, mapping: mapping)
            _ = fragment.string("name")
            _ = fragment.string("kind")
            let built: Result<any CredentialProvider, ConfigurationErrors>
            do { built = .success(try kind.makeProvider(name: "fuzz", fragment: &fragment, context: context)) } catch { built = .failure(error) }
            switch built {
            case .success(let provider):
                try fuzzExpect(provider.profile.name == "fuzz", "\(kind.kind) built a provider named \(provider.profile.name)")
            case .failure(let errors):
                try fuzzExpect(!errors.errors.isEmpty, "\(kind.kind) failed without saying why")
                _ = errors.description
            }
        }
    }
}
