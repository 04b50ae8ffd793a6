import Engine
import Foundation
import OAuthClient

/// Everything one service's login needs, from its key-file ad (condor_credd's knobs win) and, for what the ad leaves
/// out, the service's `providers.d` fragment (or, for a service no fragment or knob configures, the quirks of the kind
/// its token URL or name implies) and its issuer's discovery document.
struct LoginSettings: Sendable {
    var service: String
    var authorizationURL: URL
    var tokenURL: URL
    var client: ClientCredentials
    var redirectURI: String
    /// Scopes sent in the authorization request.
    var requestScopes: [String]
    /// `resource=` (the key file's Audience), when set.
    var resource: String?
    /// Provider-specific parameters for a refresh token (`access_type=offline`, …).
    var extraParameters: [(String, String)]
    var userinfoURL: URL?
    /// Whether to send (and expect) an OIDC `nonce`.
    var wantsNonce: Bool
    /// The provider's issuer, when its fragment (or the fragment's preset) names one: the authorization response's
    /// `iss` must equal it (RFC 9207).
    var issuer: String?
    /// Whether the issuer's metadata promises `iss` in every authorization response (RFC 9207 §2.4: then an answer
    /// without it is refused).
    var requiresIssuerInAnswer = false

    /// Resolves the settings; a missing client or endpoint is a ``WebProblem`` naming what is missing.
    /// - Parameter recognise: for a service without a fragment, the kind's login quirks by token URL, and whether
    ///   the URL's host is the provider's own (then its user-info endpoint is used).
    static func resolve(_ ad: KeyFileService, fragment: WebLoginFragment?,
                        recognise: (_ tokenURL: String) -> (quirks: LoginQuirks, byHost: Bool)?, discovery: MetadataDiscovery,
                        fallbackRedirectURI: String) async throws(WebProblem) -> LoginSettings {
        let name = ad.tokenName.stem
        func url(_ text: String?, _ what: String) throws(WebProblem) -> URL? {
            guard let text else { return nil }
            guard let url = URL(string: text), EndpointPolicy.allows(url) else {
                throw .misconfigured(service: name, "its \(what) is not an https URL")
            }
            return url
        }
        var authorization = try url(ad.authorizationURL, "authorization URL") ?? fragment?.authorizationURL
        var token = try url(ad.tokenURL, "token URL") ?? fragment?.tokenURL
        var userinfo = fragment?.userinfoURL
        if authorization == nil || token == nil || userinfo == nil, let issuer = fragment?.issuer {
            do {
                let metadata = try await discovery.metadata(for: issuer)
                authorization = authorization ?? metadata.authorizationEndpoint
                token = token ?? metadata.tokenEndpoint
                userinfo = userinfo ?? metadata.userinfoEndpoint
            } catch {
                if authorization == nil || token == nil { throw .providerDown(service: name) }
            }
        }
        guard let authorization else { throw .misconfigured(service: name, "no authorization URL (\(ad.provider.uppercased())_AUTHORIZATION_URL)") }
        guard let token else { throw .misconfigured(service: name, "no token URL (\(ad.provider.uppercased())_TOKEN_URL)") }
        var quirks = fragment?.quirks
        if fragment == nil, let recognised = recognise(token.absoluteString) {
            quirks = recognised.quirks
            if recognised.byHost { userinfo = userinfo ?? recognised.quirks.userinfoURL.flatMap(URL.init(string:)) }
        }
        guard let clientID = ad.clientID ?? fragment?.clientID else {
            throw .misconfigured(service: name, "no client id (\(ad.provider.uppercased())_CLIENT_ID)")
        }
        let secret = ad.clientSecret ?? (fragment?.clientID == clientID ? fragment?.clientSecret : nil)
        var scopes = splitScopes(ad.scopes)
        if scopes.isEmpty { scopes = fragment?.scopes ?? [] }
        for scope in quirks?.requiredScopes ?? [] where !scopes.contains(scope) {
            scopes.append(scope)
        }
        let redirectURI = try ReturnAddress.redirectURI(ad, fallback: fallbackRedirectURI)
        var requiresIssuerInAnswer = false
        if let issuer = fragment?.issuer {
            // Cached by the discovery; an issuer whose metadata cannot be had now is checked only when it sends iss.
            requiresIssuerInAnswer = (try? await discovery.metadata(for: issuer))?.sendsIssuerInAuthorizationResponse ?? false
        }
        var settings = LoginSettings(
            service: name, authorizationURL: authorization, tokenURL: token,
            client: ClientCredentials(id: clientID, secret: secret, authentication: fragment?.clientAuthentication ?? .post),
            redirectURI: redirectURI,
            requestScopes: scopes, resource: ad.audience.isEmpty ? nil : ad.audience,
            extraParameters: (quirks?.authorizationParameters ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            userinfoURL: userinfo, wantsNonce: scopes.contains("openid"), issuer: fragment?.issuer)
        settings.requiresIssuerInAnswer = requiresIssuerInAnswer
        return settings
    }

    /// HTCondor scopes: comma- (or space-) separated.
    static func splitScopes(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
    }


    /// The authorization request URL (RFC 6749 §4.1.1 with PKCE S256, RFC 7636).
    func authorizationRequest(state: String, codeChallenge: String, nonce: String?) -> URL {
        var fields: [(String, String)] = [
            ("response_type", "code"), ("client_id", client.id), ("redirect_uri", redirectURI),
            ("state", state), ("code_challenge", codeChallenge), ("code_challenge_method", "S256"),
        ]
        if !requestScopes.isEmpty { fields.append(("scope", requestScopes.joined(separator: " "))) }
        if let nonce { fields.append(("nonce", nonce)) }
        if let resource { fields.append(("resource", resource)) }
        fields.append(contentsOf: extraParameters)
        let query = fields.map { FormEncoding.escape($0.0) + "=" + FormEncoding.escape($0.1) }.joined(separator: "&")
        let base = authorizationURL.absoluteString
        let separator = base.contains("?") ? (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&") : "?"
        return URL(string: base + separator + query) ?? authorizationURL
    }
}
