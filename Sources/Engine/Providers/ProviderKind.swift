import Logging

/// A kind of provider (`kind:` in a fragment) and how to build one from its fragment.
///
/// The Host lists the kinds it supports; nothing is discovered at run time.
public protocol ProviderKind: Sendable {
    /// The `kind:` value, e.g. `local-scitoken`.
    static var kind: String { get }

    /// Builds a provider from a fragment. Read every key through `fragment`, call `fragment.finish()`, and throw
    /// its errors (plus any of your own, each naming the key) if there are any.
    static func makeProvider(
        name: String,
        fragment: inout FragmentReader,
        context: ProviderBuildContext
    ) throws(ConfigurationErrors) -> any CredentialProvider
}

/// What a provider may need from its surroundings while it is built.
public struct ProviderBuildContext: Sendable {
    /// Where keys without an explicit path live (`/etc/condor` under HTCondor).
    public var keyDirectory: String
    /// This host's fully qualified name (default issuer `https://<host>`).
    public var hostName: String
    /// Whether a missing local signing key may be generated (the daemon: yes; `credmon check`: no).
    public var createMissingKeys: Bool
    /// Whether provider names may use credd's wider character set (`CREDMON_ALLOW_SPECIAL_CHAR_NAMES`).
    public var allowSpecialCharacterNames: Bool
    /// Whether OAuth providers read their `client_secret_file` (the daemon: yes; credmon-web, which runs as `condor`
    /// and gets each client secret from the key file condor_credd wrote: no).
    public var readsClientSecrets: Bool
    public var logger: Logger

    public init(keyDirectory: String, hostName: String, createMissingKeys: Bool, allowSpecialCharacterNames: Bool = false,
                readsClientSecrets: Bool = true, logger: Logger) {
        self.keyDirectory = keyDirectory
        self.hostName = hostName
        self.createMissingKeys = createMissingKeys
        self.allowSpecialCharacterNames = allowSpecialCharacterNames
        self.readsClientSecrets = readsClientSecrets
        self.logger = logger
    }
}
