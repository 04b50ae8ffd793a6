import Engine
import FoundationEssentials
import OAuthClient

/// The settings of an OAuth provider fragment (`kind: oauth2` and the presets built on it), defaults applied.
public struct OAuthProviderConfiguration: Sendable {
    public var name: String
    public var issuer: String?
    public var authorizationURL: URL?
    public var tokenURL: URL?
    public var revocationURL: URL?
    public var userinfoURL: URL?
    public var clientID: String?
    /// The secret read from `client_secret_file` (at start and on SIGHUP); never printed.
    public var clientSecret: String?
    public var clientSecretFile: String?
    public var clientAuthentication: ClientAuthentication
    public var scopes: [String]
    public var refreshFraction: Double
    public var revokeOnRemoval: Bool
    public var maxConcurrent: Int
    public var timeout: Duration
    /// The preset this configuration started from.
    public var preset: OAuthPreset
    /// Deprecated keys the fragment used (`refresh_fraction`), with what to write instead; logged as warnings.
    public var deprecations: [String] = []

    /// Reads a fragment's keys; `preset` supplies defaults for the keys the fragment leaves out.
    static func read(name: String, fragment: inout FragmentReader, preset: OAuthPreset) -> OAuthProviderConfiguration {
        func url(_ key: String, default fallback: String?) -> URL? {
            guard let text = fragment.string(key) ?? fallback else { return nil }
            guard let url = WebURL.parse(text), EndpointPolicy.allows(url) else {
                fragment.fail(key, "'\(text)' is not an https URL", fix: "tokens and secrets travel on it: use https")
                return nil
            }
            return url
        }
        var issuer = fragment.string("issuer") ?? preset.issuer
        if let text = issuer, WebURL.parse(text).map(EndpointPolicy.allows) != true {
            fragment.fail("issuer", "'\(text)' is not an https URL", fix: "discovery and the endpoints it names must use https")
            issuer = nil
        }
        var configuration = OAuthProviderConfiguration(
            name: name,
            issuer: issuer,
            authorizationURL: url("authorization_url", default: preset.authorizationURL),
            tokenURL: url("token_url", default: preset.tokenURL),
            revocationURL: url("revocation_url", default: preset.revocationURL),
            userinfoURL: url("userinfo_url", default: preset.userinfoURL),
            clientID: fragment.string("client_id"),
            clientSecret: nil,
            clientSecretFile: fragment.string("client_secret_file"),
            clientAuthentication: fragment.choice("client_auth", of: ClientAuthentication.allCases.map(\.rawValue))
                .flatMap(ClientAuthentication.init(rawValue:)) ?? .post,
            scopes: fragment.stringList("scopes") ?? preset.scopes,
            refreshFraction: renewFraction(&fragment) ?? preset.refreshFraction,
            revokeOnRemoval: fragment.bool("revoke_on_removal") ?? preset.revokesOnRemovalByDefault,
            maxConcurrent: fragment.integer("max_concurrent", in: 1...256) ?? RequestConcurrency.defaultPerProvider,
            timeout: .seconds(fragment.integer("timeout", in: 1...300, unit: "seconds") ?? 30),
            preset: preset)
        if fragment.has("refresh_fraction") {
            configuration.deprecations.append("\(fragment.file):\(fragment.line(of: "refresh_fraction").map(String.init) ?? "?"): key 'refresh_fraction' "
                                              + "is deprecated; write renew_fraction (the same value), the name every kind uses")
        }
        return configuration
    }

    /// `renew_fraction` (0.05–0.99), the one name for the renewal point; the older `refresh_fraction` is still read.
    /// Both at once is an error.
    static func renewFraction(_ fragment: inout FragmentReader) -> Double? {
        let renew = fragment.number("renew_fraction", in: 0.05...0.99)
        let legacy = fragment.number("refresh_fraction", in: 0.05...0.99)
        if fragment.has("renew_fraction") && fragment.has("refresh_fraction") {
            fragment.fail("refresh_fraction", "is the old name of renew_fraction, which is also set", fix: "remove refresh_fraction")
        }
        return renew ?? legacy
    }
}
