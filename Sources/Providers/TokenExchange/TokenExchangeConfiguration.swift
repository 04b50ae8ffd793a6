import Engine
import FoundationEssentials
import OAuthClient

/// The settings of one `kind: token-exchange` fragment, defaults applied.
public struct TokenExchangeConfiguration: Sendable {
    public var name: String
    public var clientID: String
    public var clientSecretFile: String
    /// Read from `client_secret_file` at start and on SIGHUP; never printed.
    public var clientSecret: String?
    public var clientAuthentication: ClientAuthentication
    /// The token endpoint for every credential (HTCondor's `<S>_PELICAN_TOKEN_URL`); a `.top`'s own is then ignored.
    public var tokenURL: URL?
    /// The issuer whose discovered token endpoint serves credentials whose `.top` names none.
    public var issuer: String?
    /// Issuers a `.top` (or its subject token's `iss`) may name; their token endpoints get the client secret.
    public var trustedIssuers: [String]
    /// The lifetime (seconds) written when an answer has no `expires_in` (`CREDMON_OAUTH_TOKEN_MINIMUM`).
    public var minimumLifetime: Int
    /// A PEM file of CA certificates trusted instead of the system's (`PELICAN_CREDMON_CA_FILE`).
    public var caFile: String?
    public var renewFraction: Double
    public var timeout: Duration
    public var maxConcurrent: Int

    public static let keys: [(key: String, meaning: String)] = [
        ("client_id", "required"),
        ("client_secret_file", "required; the first line, stripped, is the secret (mode 0600)"),
        ("client_auth", "client_secret_post (default) or client_secret_basic"),
        ("token_url", "the token endpoint of every credential (a .top's own is then ignored)"),
        ("issuer", "discover the token endpoint from this issuer (cached 3600 s, the last good kept)"),
        ("trusted_issuers", "issuers a .top's iss/token_url (or the subject token's iss) may name"),
        ("minimum_lifetime", "expires_in written when the answer has none (default 1200)"),
        ("ca_file", "PEM CA certificates trusted instead of the system's"),
        ("renew_fraction", "renew after this fraction of the lifetime (default 0.5)"),
        ("timeout", "seconds per HTTP exchange (default 30)"),
        ("max_concurrent", "requests in flight (default \(RequestConcurrency.defaultPerProvider))"),
    ]

    static func read(name: String, fragment: inout FragmentReader) -> TokenExchangeConfiguration? {
        let clientID = fragment.string("client_id", required: true, example: "\"condor-ap\"")
        if clientID?.isEmpty == true { fragment.fail("client_id", "is empty") }
        let secretFile = fragment.string("client_secret_file", required: true, example: "/etc/condor/.secrets/\(name)")
        let authentication = ClientAuthenticationSetting.read(&fragment) ?? .post
        var tokenURL: URL?
        if let text = fragment.string("token_url", example: "https://pelican.example.org/api/v1.0/issuer/token") {
            if let url = WebURL.parse(text), EndpointPolicy.allows(url) {
                tokenURL = url
            } else {
                fragment.fail("token_url", "'\(text)' is not an https URL", fix: "the client secret travels on it: use https")
            }
        }
        var issuer = fragment.string("issuer", example: "https://pelican.example.org")
        if let text = issuer, WebURL.parse(text).map(EndpointPolicy.allows) != true {
            fragment.fail("issuer", "'\(text)' is not an https URL", fix: "discovery and the endpoint it names must use https")
            issuer = nil
        }
        var trusted: [String] = []
        for text in fragment.stringList("trusted_issuers") ?? [] {
            if WebURL.parse(text).map(EndpointPolicy.allows) == true {
                trusted.append(text)
            } else {
                fragment.fail("trusted_issuers", "'\(text)' is not an https URL", fix: "list issuers as https URLs, e.g. https://osdf.example.org")
            }
        }
        if !fragment.has("token_url") && !fragment.has("issuer") && !fragment.has("trusted_issuers") {
            fragment.fail("token_url", "is required when neither issuer nor trusted_issuers is set",
                          fix: "add token_url: https://…/token, or issuer: (discovery) or trusted_issuers: (the issuer a .top names)")
        }
        let minimumLifetime = fragment.integer("minimum_lifetime", in: 1...86_400, unit: "seconds") ?? 1200
        let caFile = fragment.string("ca_file", example: "/etc/pki/tls/certs/pelican-ca.pem")
        let renewFraction = fragment.number("renew_fraction", in: 0.05...0.99) ?? 0.5
        let timeout = fragment.integer("timeout", in: 1...300, unit: "seconds") ?? 30
        let maxConcurrent = fragment.integer("max_concurrent", in: 1...256) ?? RequestConcurrency.defaultPerProvider
        guard let clientID, !clientID.isEmpty, let secretFile else { return nil }
        return TokenExchangeConfiguration(
            name: name, clientID: clientID, clientSecretFile: secretFile, clientSecret: nil, clientAuthentication: authentication,
            tokenURL: tokenURL, issuer: issuer, trustedIssuers: trusted, minimumLifetime: minimumLifetime, caFile: caFile,
            renewFraction: renewFraction, timeout: .seconds(timeout), maxConcurrent: maxConcurrent)
    }
}
