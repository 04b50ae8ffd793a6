import Engine
import FoundationEssentials
import OAuthClient

/// `kind: token-exchange`: HTCondor's Pelican credmon (contract §C.5): the `.top` the storer wrote holds a subject
/// token, exchanged for an access token (RFC 8693); a refresh token that comes back replaces it and is refreshed from
/// then on. Fixed from the reference: the storer's `scopes` are forwarded (§F.1-17), the site's client secret only
/// goes to token endpoints the fragment trusts, and TLS verification is never turned off.
public enum TokenExchangeKind: ProviderKind {
    public static let kind = "token-exchange"
    /// After the exchange, a refresh token keeps the credential alive (estimated like an OAuth one).
    public static var credentialLifetime: CredentialLifetime { .refreshToken(maximum: nil) }
    public static let summary = "RFC 8693 exchange of a storer's subject token, then refresh (HTCondor's Pelican credmon)"
    public static var credentialType: CondorCredentialType { .pelican }
    public static var servesUnrecognisedServices: Bool { true }

    public static func knobFragment(service: String, knobs: CondorKnobs) -> KnobFragment? {
        TokenExchangeKnobs.fragment(service: service, knobs: knobs)
    }

    public static func makeProvider(name: String, fragment: inout FragmentReader,
                                    context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        var configuration = TokenExchangeConfiguration.read(name: name, fragment: &fragment)
        if context.readsClientSecrets, let file = configuration?.clientSecretFile {
            configuration?.clientSecret = SecretFile.read(file, for: &fragment)
        }
        var http: any HTTPClient = context.http ?? UnavailableHTTPClient()
        if let caFile = configuration?.caFile {
            if let deriving = context.http as? any HTTPClientDeriving {
                do {
                    http = try deriving.derived(HTTPConnectionOptions(caFile: caFile))
                } catch {
                    fragment.fail("ca_file", error.message, fix: "name a readable PEM file of CA certificates")
                }
            } else if context.http != nil {
                fragment.fail("ca_file", "this HTTP client cannot use a CA file of its own", fix: "remove ca_file to use the system's trust store")
            } else if !FileManager.default.isReadableFile(atPath: caFile) {
                fragment.fail("ca_file", "cannot read \(caFile)", fix: "name a readable PEM file of CA certificates")
            }
        }
        let errors = fragment.finish()
        guard errors.isEmpty, let configuration else { throw ConfigurationErrors(errors) }
        return TokenExchangeProvider(configuration: configuration, http: http, logger: context.logger)
    }
}
