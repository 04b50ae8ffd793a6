import Engine
import FoundationEssentials
import Logging
import Signers

/// `kind: local-scitoken`: tokens signed with a local key (HTCondor's LOCAL_CREDMON, its bugs fixed).
public enum LocalSciTokenKind: ProviderKind {
    public static let kind = "local-scitoken"
    /// A local issuer signs with its own key: nothing long-lived expires.
    public static var credentialLifetime: CredentialLifetime { .never }
    public static let summary = "SciTokens / WLCG tokens signed with a local key"
    public static var credentialType: CondorCredentialType { .localIssuer }
    public static var servesUnrecognisedServices: Bool { true }
    public static var webRole: WebRole { .publishesIssuer }

    public static func knobFragment(service: String, knobs: CondorKnobs) -> KnobFragment? {
        LocalIssuerKnobs.fragment(service: service, knobs: knobs)
    }

    public static func makeProvider(
        name: String,
        fragment: inout FragmentReader,
        context: ProviderBuildContext
    ) throws(ConfigurationErrors) -> any CredentialProvider {
        if !context.readsClientSecrets {
            return try PublishedIssuerBuilder.make(name: name, fragment: &fragment, context: context)
        }
        let configuration = LocalSciTokenConfiguration.read(name: name, fragment: &fragment, context: context)
        let errors = fragment.finish()
        guard errors.isEmpty, let configuration else { throw ConfigurationErrors(errors) }
        let key: SigningKey
        var keyNote: String?
        do {
            (key, keyNote) = try loadOrCreateKey(configuration, context: context)
        } catch {
            throw ConfigurationErrors([ConfigurationError(
                file: fragment.file, line: fragment.line(of: "private_key"), key: "private_key", problem: error.description)])
        }
        return LocalSciTokenProvider(configuration: configuration, key: key, keyNote: keyNote, logger: context.logger)
    }

    /// Loads the private key; generates a P-256 key pair when it is missing and the algorithm is ES256.
    static func loadOrCreateKey(_ configuration: LocalSciTokenConfiguration, context: ProviderBuildContext) throws(KeyError) -> (SigningKey, String?) {
        let path = configuration.privateKeyPath
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists {
            guard configuration.algorithm == .es256 else {
                throw KeyError(.unreadableFile, path: path, message: "the RS256 private key does not exist; create it with: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out \(path)")
            }
            if context.createMissingKeys {
                _ = try KeyPairGenerator.ensureKeyPair(privateKeyPath: path, publicKeyPath: configuration.publicKeyPath)
                context.logger.notice("Generated a new signing key", metadata: [
                    "credmon.provider": "\(configuration.name)", "credmon.private_key": "\(path)",
                    "credmon.public_key": "\(configuration.publicKeyPath)",
                ])
            } else {
                return (try placeholderKey(keyID: configuration.keyID),
                        "missing; a P-256 key will be generated when the daemon starts")
            }
        }
        return (try SigningKey.load(privateKeyFile: path, keyID: configuration.keyID, algorithm: configuration.algorithm), nil)
    }

    /// A throw-away key so that `credmon check` can show the table before the daemon has generated the real key.
    private static func placeholderKey(keyID: String) throws(KeyError) -> SigningKey {
        let directory = PathText.temporaryDirectory + "credmon-check-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let privatePath = directory + "/private.pem"
        _ = try KeyPairGenerator.ensureKeyPair(privateKeyPath: privatePath, publicKeyPath: directory + "/public.pem")
        return try SigningKey.load(privateKeyFile: privatePath, keyID: keyID, algorithm: .es256)
    }
}
