import Engine
import FoundationEssentials
import OAuthClient

/// Fetches one access token per credential `<user>/<service>.top` with the client-credentials grant (RFC 6749 §4.4):
/// the `.top` is condor_credd's placeholder (never read), the scope names the user (`condor.user:<user>`). Renewal
/// is a new fetch (there is no refresh token, §4.4.3); nothing is revoked (the tokens are short-lived).
public struct ClientCredentialsProvider: CredentialProvider {
    public let configuration: ClientCredentialsConfiguration
    public let profile: ProviderProfile
    private let endpoint: TokenEndpoint
    private let discovery: MetadataDiscovery?

    public init(configuration: ClientCredentialsConfiguration, http: any HTTPClient) {
        self.configuration = configuration
        endpoint = TokenEndpoint(http: http, timeout: configuration.timeout)
        // Discovery keeps the last good document when a later lookup fails (and fails only with none).
        discovery = configuration.tokenURL == nil
            ? configuration.issuer.map { _ in
                MetadataDiscovery(http: http, lifetime: TimeInterval(configuration.discoveryCache), timeout: configuration.timeout)
            }
            : nil
        var settings: [ProviderProfile.Setting] = []
        func add(_ key: String, _ value: String?) { if let value { settings.append(.init(key, value)) } }
        add("issuer", configuration.issuer)
        add("token_url", configuration.tokenURL?.absoluteString ?? "(discovered)")
        add("client_id", configuration.clientID)
        add("client_secret_file", configuration.clientSecretFile + (configuration.clientSecret == nil ? " (not read)" : ""))
        add("client_auth", ClientAuthenticationSetting.name(configuration.clientAuthentication))
        add("scopes", configuration.scopes.text.isEmpty ? "(none)" : configuration.scopes.text)
        add("user_scope", "\(configuration.userScope)")
        add("profile", configuration.profile.rawValue)
        add("audience", configuration.audience.isEmpty ? "(none)" : configuration.audience.joined(separator: " "))
        add("lifetime_fallback", "\(configuration.lifetimeFallback)s")
        add("use_json", "\(configuration.useJSON)")
        add("discovery_cache", "\(configuration.discoveryCache)s")
        add("renew_fraction", "\(configuration.renewFraction)")
        add("timeout", "\(configuration.timeout)")
        add("max_concurrent", "\(configuration.maxConcurrent)")
        let fingerprint = TokenSettingsFingerprint.of(settings, affecting: Self.tokenAffectingSettings, secret: configuration.clientSecret)
        // A handle is refused (condor_credd refuses handles of local clients); the `.top` is a placeholder, never
        // read; it must be root's (or the daemon's): the token names the directory's user in condor.user:<user>.
        profile = ProviderProfile(
            name: configuration.name, kind: ClientCredentialsKind.kind,
            traits: ProviderTraits(allowsHandles: false, readsSeed: false, renewFraction: configuration.renewFraction,
                                   revokesOnRemoval: false, maxConcurrent: configuration.maxConcurrent, requiresPrivilegedSeed: true),
            settings: settings, fingerprint: fingerprint)
    }

    /// The settings whose change means new tokens (with the client secret).
    static let tokenAffectingSettings: Set<String> = [
        "issuer", "token_url", "client_id", "client_secret_file", "client_auth", "scopes", "user_scope", "profile", "audience",
        "lifetime_fallback", "use_json",
    ]

    public func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate {
        try await token(for: request)
    }

    /// There is no refresh token: renewing is fetching again.
    public func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate {
        try await token(for: request)
    }

    /// Nothing to revoke: the tokens are short-lived and the server keeps no grant per user.
    public func revoke(_ request: RevocationRequest) async throws {}

    /// POST `grant_type=client_credentials`, `scope`, one `audience` per value, with the client's authentication.
    func token(for request: CredentialRequest) async throws(ProviderError) -> CredentialUpdate {
        guard let secret = configuration.clientSecret else {
            throw .transient(.clientSecretUnreadable, "\(configuration.clientSecretFile): the client secret file was not read; fix it and send SIGHUP")
        }
        let url = try await tokenURL(now: request.now)
        var fields = [("grant_type", "client_credentials")]
        let scope = configuration.scope(for: request.id.user)
        if !scope.isEmpty { fields.append(("scope", scope.joined(separator: " "))) }
        for audience in configuration.audience { fields.append(("audience", audience)) }
        let client = ClientCredentials(id: configuration.clientID, secret: secret, authentication: configuration.clientAuthentication)
        let answer = try await endpoint.request(fields: fields, client: client, url: url)
        return try accessTokenFile(answer, now: request.now, endpoint: OAuth2Client.endpoint(url))
    }

    /// `token_url`, else the issuer's discovered token endpoint (the last good one when discovery fails).
    func tokenURL(now: Date) async throws(ProviderError) -> URL {
        if let url = configuration.tokenURL { return url }
        guard let issuer = configuration.issuer, let discovery else {
            throw .terminal(.noTokenURL, "the \(configuration.name) fragment names neither token_url nor issuer")
        }
        do {
            return try await discovery.metadata(for: issuer, now: now).tokenEndpoint
        } catch {
            throw .transient(.network, "\(issuer): no token endpoint: \(error.message)")
        }
    }

    /// The `.use` of an answer: `expires_in` (or `lifetime_fallback` without one; a JWT's earlier `exp` wins); any
    /// `refresh_token` is ignored (RFC 6749 §4.4.3: none is expected, and renewal fetches anew).
    func accessTokenFile(_ answer: TokenResponse, now: Date, endpoint: String) throws(ProviderError) -> CredentialUpdate {
        let (validity, _) = try answer.validity(now: now, fallbackLifetime: configuration.lifetimeFallback, endpoint: endpoint)
        let expiresIn = Int64(validity.lifetime.rounded())
        let bytes: [UInt8]
        if configuration.useJSON {
            var json: [UInt8] = Array("{\"access_token\": ".utf8)
            JSONEscaping.append(answer.accessToken, to: &json)
            json.append(contentsOf: ", \"expires_in\": \(expiresIn)}".utf8)
            bytes = json
        } else {
            bytes = Array((answer.accessToken + "\n").utf8)
        }
        return CredentialUpdate(accessTokenFile: bytes, validity: validity)
    }
}
