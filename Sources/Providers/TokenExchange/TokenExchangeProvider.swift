import Engine
import FoundationEssentials
import Logging
import OAuthClient
import Synchronization

/// Turns the subject token a storer wrote into `.top` into an access token (RFC 8693 token exchange), then keeps it
/// fresh with the refresh token the exchange returned, as HTCondor's Pelican credmon does (contract §C.5).
///
/// The token endpoint is the fragment's `token_url`, else the one discovered from the issuer the `.top` (or the
/// subject token's unverified `iss`) names, else the fragment `issuer`'s. An issuer or token URL named by a `.top`
/// (written by a user's storer) is used only when it is the fragment's `issuer` or listed in `trusted_issuers`:
/// the site's client secret never goes to a host a user chose.
public struct TokenExchangeProvider: CredentialProvider {
    public let configuration: TokenExchangeConfiguration
    public let profile: ProviderProfile
    private let endpoint: TokenEndpoint
    private let discovery: MetadataDiscovery
    private let logger: Logger
    private let warned = WarnedCredentials()

    /// RFC 8693 §2.1 and §3.
    static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let accessTokenType = "urn:ietf:params:oauth:token-type:access_token"

    public init(configuration: TokenExchangeConfiguration, http: any HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        endpoint = TokenEndpoint(http: http, timeout: configuration.timeout)
        discovery = MetadataDiscovery(http: http, lifetime: 3600, timeout: configuration.timeout)
        var settings: [ProviderProfile.Setting] = []
        func add(_ key: String, _ value: String?) { if let value { settings.append(.init(key, value)) } }
        add("client_id", configuration.clientID)
        add("client_secret_file", configuration.clientSecretFile + (configuration.clientSecret == nil ? " (not read)" : ""))
        add("client_auth", ClientAuthenticationSetting.name(configuration.clientAuthentication))
        add("token_url", configuration.tokenURL?.absoluteString ?? "(discovered)")
        add("issuer", configuration.issuer)
        add("trusted_issuers", configuration.trustedIssuers.isEmpty ? nil : configuration.trustedIssuers.joined(separator: " "))
        add("minimum_lifetime", "\(configuration.minimumLifetime)s")
        add("ca_file", configuration.caFile)
        add("renew_fraction", "\(configuration.renewFraction)")
        add("timeout", "\(configuration.timeout)")
        add("max_concurrent", "\(configuration.maxConcurrent)")
        let fingerprint = TokenSettingsFingerprint.of(settings, affecting: Self.tokenAffectingSettings, secret: configuration.clientSecret)
        // Not revoked on removal: the reference never revokes, the refresh token is the site client's at the issuer
        // (which need not offer RFC 7009), and the subject token is the user's, not Credmon's, to withdraw; the access
        // tokens are short-lived. A new subject token from the storer (a newer `.top`) is exchanged at once.
        profile = ProviderProfile(
            name: configuration.name, kind: TokenExchangeKind.kind,
            traits: ProviderTraits(allowsHandles: true, readsSeed: true, renewFraction: configuration.renewFraction, revokesOnRemoval: false,
                                   maxConcurrent: configuration.maxConcurrent, renewsWhenSeedIsNewer: true),
            settings: settings, fingerprint: fingerprint)
    }

    /// The settings whose change means new tokens (with the client secret).
    static let tokenAffectingSettings: Set<String> = ["client_id", "client_secret_file", "client_auth", "token_url", "issuer", "trusted_issuers", "ca_file"]

    public func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate {
        try await renew(request)
    }

    public func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate {
        try await renew(request)
    }

    /// Nothing is revoked (see the traits).
    public func revoke(_ request: RevocationRequest) async throws {}

    /// A refresh when the `.top` holds a refresh token, else an exchange of its subject token.
    func renew(_ request: CredentialRequest) async throws(ProviderError) -> CredentialUpdate {
        guard case .json(let seed)? = request.seed else {
            throw .terminal(.unusableSeed, "\(request.id).top is not a JSON object; the storer writes {\"access_token\": <subject token>}")
        }
        let refreshToken = Self.nonEmpty(seed["refresh_token"])
        let subjectToken = Self.nonEmpty(seed["access_token"]) ?? Self.nonEmpty(seed["subject_token"])
        guard refreshToken != nil || subjectToken != nil else {
            throw .terminal(.unusableSeed, "\(request.id).top holds no refresh_token, access_token or subject_token")
        }
        guard let secret = configuration.clientSecret else {
            throw .transient(.clientSecretUnreadable, "\(configuration.clientSecretFile): the client secret file was not read; fix it and send SIGHUP")
        }
        let client = ClientCredentials(id: configuration.clientID, secret: secret, authentication: configuration.clientAuthentication)
        let (url, issuer) = try await tokenEndpoint(seed: seed, subjectToken: refreshToken == nil ? subjectToken : nil, request: request)
        var fields: [(String, String)]
        if let refreshToken {
            fields = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        } else {
            fields = [("grant_type", Self.grantType), ("subject_token", subjectToken ?? ""), ("subject_token_type", Self.accessTokenType),
                      ("requested_token_type", Self.accessTokenType)]
            let scope = Self.scope(of: seed)
            if !scope.isEmpty { fields.append(("scope", scope.joined(separator: " "))) }
            for audience in Self.list(seed["audience"]) { fields.append(("audience", audience)) }
        }
        let answer = try await endpoint.request(fields: fields, client: client, url: url)
        let endpointName = OAuth2Client.endpoint(url)
        var rotated: [UInt8]?
        if let newRefreshToken = answer.refreshToken, newRefreshToken != refreshToken {
            rotated = Self.seed(from: seed, refreshToken: newRefreshToken, tokenURL: url, issuer: issuer)
            warned.forget(request.id)
        } else if refreshToken == nil, warned.firstTime(request.id) {
            logger.warning("The token exchange returned no refresh token: periodic refresh is disabled; the subject token is exchanged again when due", metadata: [
                "credmon.credential": "\(request.id)", "credmon.provider": "\(configuration.name)", "credmon.endpoint": "\(endpointName)",
            ])
        }
        do {
            var update = try accessTokenFile(answer, now: request.now, endpoint: endpointName)
            update.rotatedSeed = rotated
            return update
        } catch {
            var failure = error
            failure.rotatedSeed = rotated
            throw failure
        }
    }

    // MARK: - The token endpoint

    /// The fragment's `token_url`; else the issuer the `.top` (`iss`) or the subject token (its unverified `iss`)
    /// names, when trusted; else a `.top`'s `token_url` under a trusted issuer; else the fragment `issuer`'s. Returns
    /// the issuer whose discovery gave the endpoint, for the new `.top`.
    func tokenEndpoint(seed: [String: JSONValue], subjectToken: String?, request: CredentialRequest) async throws(ProviderError) -> (URL, String?) {
        if let url = configuration.tokenURL { return (url, nil) }
        let named = seed["iss"]?.stringValue.map { ($0, "\(request.id).top's iss") }
            ?? subjectToken.flatMap { JWTClaims.payload($0)?["iss"]?.stringValue }.map { ($0, "the subject token's iss") }
        let seedTokenURL = seed["token_url"]?.stringValue
        if let (text, source) = named {
            guard let issuer = trusted(issuer: text) else {
                throw .terminal(.untrustedEndpoint, "\(source) \(SafeText.printable(text, limit: 200)) is neither the \(configuration.name) fragment's "
                                + "issuer nor listed in its trusted_issuers; the client secret is not sent there (add it to trusted_issuers if the site trusts it)")
            }
            do {
                return (try await discovery.metadata(for: issuer, now: request.now).tokenEndpoint, issuer)
            } catch {
                // The reference falls back to the `.top`'s token_url; here only to one under the trusted issuer.
                if let text = seedTokenURL, let url = WebURL.parse(text), EndpointPolicy.allows(url), Self.isUnder(url, issuer: issuer) {
                    return (url, issuer)
                }
                throw .transient(.network, "\(issuer): no token endpoint: \(error.message)")
            }
        }
        if let text = seedTokenURL {
            guard let url = WebURL.parse(text), EndpointPolicy.allows(url),
                  trustedIssuers.contains(where: { $0 == text || Self.isUnder(url, issuer: $0) }) else {
                throw .terminal(.untrustedEndpoint, "\(request.id).top's token_url \(SafeText.printable(text, limit: 200)) is not under the \(configuration.name) "
                                + "fragment's issuer or one of its trusted_issuers; the client secret is not sent there (add its issuer to trusted_issuers if the site trusts it)")
            }
            return (url, nil)
        }
        guard let issuer = configuration.issuer else {
            throw .terminal(.noTokenURL, "\(request.id).top names no issuer and the \(configuration.name) fragment has neither token_url nor issuer")
        }
        do {
            return (try await discovery.metadata(for: issuer, now: request.now).tokenEndpoint, issuer)
        } catch {
            throw .transient(.network, "\(issuer): no token endpoint: \(error.message)")
        }
    }

    /// The fragment's issuer and its trusted issuers.
    var trustedIssuers: [String] { (configuration.issuer.map { [$0] } ?? []) + configuration.trustedIssuers }

    /// The configured spelling of `issuer` if it is trusted (a trailing `/` aside).
    func trusted(issuer: String) -> String? {
        trustedIssuers.first { Self.trimmed($0) == Self.trimmed(issuer) }
    }

    static func trimmed(_ text: String) -> String {
        var text = text
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    /// Whether `url` is on the issuer's origin (scheme, host, port) at or below its path.
    static func isUnder(_ url: URL, issuer: String) -> Bool {
        guard let base = WebURL.components(trimmed(issuer)), let target = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let scheme = base.scheme?.lowercased(), target.scheme?.lowercased() == scheme,
              let host = base.host?.lowercased(), target.host?.lowercased() == host,
              (base.port ?? defaultPort(scheme)) == (target.port ?? defaultPort(scheme)),
              target.user == nil, target.password == nil else { return false }
        let path = base.percentEncodedPath
        let targetPath = target.percentEncodedPath
        guard !targetPath.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else { return false }
        return path.isEmpty || targetPath == path || targetPath.hasPrefix(path + "/")
    }

    static func defaultPort(_ scheme: String) -> Int { scheme == "https" ? 443 : 80 }

    // MARK: - Seeds and access-token files

    static func nonEmpty(_ value: JSONValue?) -> String? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        return text
    }

    /// A `.top` member as a list: a string split on commas and white space, or an array of strings.
    static func list(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let text)?: return splitCommaSpace(text)
        case .array(let items)?: return items.compactMap(\.stringValue).flatMap(splitCommaSpace)
        default: return []
        }
    }

    /// Items split on commas and white space, empty ones dropped (HTCondor's list splitting).
    static func splitCommaSpace(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }

    /// The scope to ask for: the `.top`'s `scope`, else the `scopes` condor_credd stores (contract §F.1-17: the
    /// reference forwards only `scope`), commas and white space normalised to single spaces.
    static func scope(of seed: [String: JSONValue]) -> [String] {
        let scope = list(seed["scope"])
        return scope.isEmpty ? list(seed["scopes"]) : scope
    }

    /// The new `.top` after a refresh token came back: the old one's other keys (`scopes`, `audience`, … as
    /// condor_credd compares them) kept, the subject token dropped, `refresh_token`, `token_url` and `iss` set.
    static func seed(from old: [String: JSONValue], refreshToken: String, tokenURL: URL, issuer: String?) -> [UInt8] {
        var object = old
        object["access_token"] = nil
        object["subject_token"] = nil
        object["refresh_token"] = .string(refreshToken)
        object["token_url"] = .string(tokenURL.absoluteString)
        if let issuer { object["iss"] = .string(issuer) }
        return Array(JSONValue.serialize(object))
    }

    /// `.use` = `{"access_token", "token_type", "expires_in"}`: `token_type` defaults to Bearer, `expires_in` to
    /// `minimum_lifetime`; a JWT's earlier `exp` shortens the validity the engine schedules with.
    func accessTokenFile(_ answer: TokenResponse, now: Date, endpoint: String) throws(ProviderError) -> CredentialUpdate {
        let (validity, lifetime) = try answer.validity(now: now, fallbackLifetime: configuration.minimumLifetime, endpoint: endpoint)
        let file: [String: JSONValue] = [
            "access_token": .string(answer.accessToken),
            "token_type": .string(answer.tokenType ?? "Bearer"),
            "expires_in": .integer(Int64(lifetime)),
        ]
        return CredentialUpdate(accessTokenFile: Array(JSONValue.serialize(file)), validity: validity)
    }
}

/// The credentials already warned about an exchange without a refresh token (one warning each).
final class WarnedCredentials: Sendable {
    private let ids = Mutex<Set<CredentialID>>([])

    /// True the first time `id` is seen.
    func firstTime(_ id: CredentialID) -> Bool { ids.withLock { $0.insert(id).inserted } }

    func forget(_ id: CredentialID) { _ = ids.withLock { $0.remove(id) } }
}
