import Engine
import FoundationEssentials

/// `kind: vault`: access tokens from a Vault / OpenBao server (the htgettoken / htvault-config stack), as HTCondor's
/// `condor_credmon_vault` fetches them: the `.top` condor_credd stored holds a long-lived Vault token and the URL of
/// the secret that hands out access tokens.
public enum VaultKind: ProviderKind {
    public static let kind = "vault"
    /// The Vault token's TTL, from `auth/token/lookup-self` at every renewal.
    public static var credentialLifetime: CredentialLifetime { .reportedByProvider }
    public static let summary = "access tokens from a Vault/OpenBao server (htgettoken, htvault-config)"
    public static var credentialType: CondorCredentialType { .vault }
    public static var servesUnrecognisedServices: Bool { true }
    public static var servesWildcard: Bool { true }

    public static func knobFragment(service: String, knobs: CondorKnobs) -> KnobFragment? {
        VaultKnobs.fragment(service: service, knobs: knobs)
    }

    public static func makeProvider(
        name: String,
        fragment: inout FragmentReader,
        context: ProviderBuildContext
    ) throws(ConfigurationErrors) -> any CredentialProvider {
        let configuration = VaultConfiguration.read(name: name, fragment: &fragment)
        let errors = fragment.finish()
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        let http = context.http ?? UnavailableHTTPClient()
        return VaultProvider(configuration: configuration, connection: VaultConnection(http: http, trust: configuration.trust),
                             logger: context.logger)
    }
}

