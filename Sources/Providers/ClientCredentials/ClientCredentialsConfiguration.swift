import Engine
import FoundationEssentials
import LocalSciToken
import OAuthClient

/// The settings of one `kind: client-credentials` fragment, defaults applied.
public struct ClientCredentialsConfiguration: Sendable {
    public var name: String
    /// Where the token endpoint is discovered (OIDC, then RFC 8414) when `token_url` is not set.
    public var issuer: String?
    public var tokenURL: URL?
    public var clientID: String
    public var clientSecretFile: String
    /// Read from `client_secret_file` at start and on SIGHUP; never printed.
    public var clientSecret: String?
    public var clientAuthentication: ClientAuthentication
    /// The scope template (`{username}` is the user).
    public var scopes: ScopeTemplate
    /// Whether `condor.user:<user>` is added to the scope.
    public var userScope: Bool
    /// `wlcg:1.0` adds the `wlcg` scope; the others add nothing.
    public var profile: TokenProfile
    /// Each one sent as its own `audience` parameter.
    public var audience: [String]
    /// The lifetime assumed (seconds) when an answer has no `expires_in`.
    public var lifetimeFallback: Int
    public var useJSON: Bool
    /// How long a discovered token endpoint is used before it is looked up again (seconds).
    public var discoveryCache: Int
    public var renewFraction: Double
    public var timeout: Duration
    public var maxConcurrent: Int

    /// HTCondor's `CLIENT_CREDMON_AUTHZ_TEMPLATE` default (the local issuer's).
    public static let defaultScopes = "read:/user/{username} write:/user/{username}"

    /// Every key a fragment of this kind may have, with its meaning.
    public static let keys: [(key: String, meaning: String)] = [
        ("token_url", "the token endpoint (https; http only on loopback)"),
        ("issuer", "discover the token endpoint from this issuer when token_url is not set"),
        ("client_id", "required"),
        ("client_secret_file", "required; the first line, stripped, is the secret (mode 0600)"),
        ("client_auth", "client_secret_post (default) or client_secret_basic"),
        ("scopes", "scope template, {username} replaced (default \(defaultScopes))"),
        ("user_scope", "add condor.user:<user> to the scope (default true)"),
        ("profile", "wlcg:1.0 adds the wlcg scope; scitoken:2.0 (default) and scitoken:1.0 add nothing"),
        ("audience", "list; one audience parameter each"),
        ("lifetime_fallback", "seconds assumed when the answer has no expires_in (default 1200)"),
        ("use_json", "write {\"access_token\", \"expires_in\"} (default true) or the bare token and a newline"),
        ("discovery_cache", "seconds a discovered token endpoint is kept (default 3600)"),
        ("renew_fraction", "fetch a new token after this fraction of the lifetime (default 0.5)"),
        ("timeout", "seconds per HTTP exchange (default 30)"),
        ("max_concurrent", "requests in flight to the server (default \(RequestConcurrency.defaultPerProvider))"),
    ]

    /// Reads a fragment; every problem is recorded in `fragment`. Nil when a required key is missing or invalid.
    static func read(name: String, fragment: inout FragmentReader) -> ClientCredentialsConfiguration? {
        let tokenURLText = fragment.string("token_url", example: "https://idp.example.org/token")
        var tokenURL: URL?
        if let tokenURLText {
            if let url = WebURL.parse(tokenURLText), EndpointPolicy.allows(url) {
                tokenURL = url
            } else {
                fragment.fail("token_url", "'\(tokenURLText)' is not an https URL", fix: "the client secret travels on it: use https")
            }
        }
        var issuer = fragment.string("issuer", example: "https://idp.example.org")
        if let text = issuer, WebURL.parse(text).map(EndpointPolicy.allows) != true {
            fragment.fail("issuer", "'\(text)' is not an https URL", fix: "discovery and the endpoint it names must use https")
            issuer = nil
        }
        if tokenURLText == nil && !fragment.has("issuer") {
            fragment.fail("token_url", "is required when there is no issuer",
                          fix: "add token_url: https://idp.example.org/token, or issuer: https://idp.example.org to discover it")
        }
        let clientID = fragment.string("client_id", required: true, example: "\"condor-ap\"")
        if clientID?.isEmpty == true { fragment.fail("client_id", "is empty") }
        let secretFile = fragment.string("client_secret_file", required: true, example: "/etc/condor/.secrets/\(name)")
        let authentication = ClientAuthenticationSetting.read(&fragment)
        let scopesText = fragment.stringList("scopes").map { $0.joined(separator: " ") } ?? defaultScopes
        if let bad = ScopeTemplate.validate(scopesText, placeholders: ["username"]) {
            fragment.fail("scopes", "unknown placeholder \(bad)", fix: "only {username} is replaced")
        }
        let userScope = fragment.bool("user_scope") ?? true
        let profileName = fragment.string("profile") ?? TokenProfile.scitoken2.rawValue
        let profile = TokenProfile(setting: profileName)
        if profile == nil {
            fragment.fail("profile", "'\(profileName)' is not a known profile", fix: "use scitoken:2.0, scitoken:1.0 or wlcg:1.0 (wlcg adds the wlcg scope)")
        }
        let audience = fragment.stringList("audience") ?? []
        let lifetimeFallback = fragment.integer("lifetime_fallback", in: 1...86_400, unit: "seconds") ?? 1200
        let useJSON = fragment.bool("use_json") ?? true
        let discoveryCache = fragment.integer("discovery_cache", in: 0...86_400, unit: "seconds") ?? 3600
        let renewFraction = fragment.number("renew_fraction", in: 0.05...0.99) ?? 0.5
        let timeout = fragment.integer("timeout", in: 1...300, unit: "seconds") ?? 30
        let maxConcurrent = fragment.integer("max_concurrent", in: 1...256) ?? RequestConcurrency.defaultPerProvider
        guard let clientID, !clientID.isEmpty, let secretFile, let profile, tokenURL != nil || issuer != nil else { return nil }
        return ClientCredentialsConfiguration(
            name: name, issuer: issuer, tokenURL: tokenURL, clientID: clientID, clientSecretFile: secretFile, clientSecret: nil,
            clientAuthentication: authentication ?? .post, scopes: ScopeTemplate(scopesText), userScope: userScope, profile: profile,
            audience: audience, lifetimeFallback: lifetimeFallback, useJSON: useJSON, discoveryCache: discoveryCache,
            renewFraction: renewFraction, timeout: .seconds(timeout), maxConcurrent: maxConcurrent)
    }

    /// The scopes asked for `user`: the template's, `wlcg` for the WLCG profile, then `condor.user:<user>`
    /// (percent-encoded as Python's `urllib.parse.quote` does), each once.
    public func scope(for user: String) -> [String] {
        var items = scopes.expand(["username": user])
        if profile == .wlcg1 { items.append("wlcg") }
        if userScope { items.append("condor.user:" + Self.quote(user)) }
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }

    /// `urllib.parse.quote(text)`: everything but letters, digits, `_.-~` and `/` percent-encoded (UTF-8).
    static func quote(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += PercentEncoding.escape(byte)
            }
        }
        return out
    }
}
