import Engine
import FoundationEssentials
import OAuthClient

/// Keeps an OAuth access token fresh with its refresh token (HTCondor's OAuthCredmon, its failures fixed).
///
/// Endpoints come from the fragment, else from the issuer's discovery document, else from the credential's
/// `.meta` (`token_url`); the client from the fragment (`client_id`, `client_secret_file`), else from `.meta`.
/// A response without a refresh token keeps the old one; a rotated refresh token is returned to the engine,
/// which writes `.top` durably before the new `.use`.
public struct OAuthRefreshProvider: CredentialProvider, WebLoginProvider {
    public let configuration: OAuthProviderConfiguration
    public let profile: ProviderProfile
    let client: OAuth2Client
    let http: any HTTPClient
    private let discovery: MetadataDiscovery?

    public init(configuration: OAuthProviderConfiguration, kind: String, http: any HTTPClient) {
        self.configuration = configuration
        self.http = http
        client = OAuth2Client(http: http, timeout: configuration.timeout)
        discovery = configuration.issuer.map { _ in MetadataDiscovery(http: http) }
        var settings: [ProviderProfile.Setting] = []
        func add(_ key: String, _ value: String?) { if let value { settings.append(.init(key, value)) } }
        add("issuer", configuration.issuer)
        add("token_url", configuration.tokenURL?.absoluteString ?? (configuration.issuer != nil ? "(discovered)" : "(from .meta)"))
        add("authorization_url", configuration.authorizationURL?.absoluteString)
        add("revocation_url", configuration.revocationURL?.absoluteString)
        add("client_id", configuration.clientID ?? "(from .meta)")
        add("client_secret_file", configuration.clientSecretFile.map { $0 + (configuration.clientSecret == nil ? " (unreadable)" : "") })
        add("client_auth", configuration.clientAuthentication.rawValue)
        add("scopes", configuration.scopes.isEmpty ? nil : configuration.scopes.joined(separator: " "))
        add("renew_fraction", "\(configuration.refreshFraction)")
        for deprecation in configuration.deprecations { add("warning", deprecation) }
        add("revoke_on_removal", "\(configuration.revokeOnRemoval)")
        add("max_concurrent", "\(configuration.maxConcurrent)")
        add("timeout", "\(configuration.timeout)")
        // Only what the tokens come from: a change of revocation, concurrency, timeout or renewal point renews nothing.
        let fingerprint = TokenSettingsFingerprint.of(settings, affecting: Self.tokenAffectingSettings, secret: configuration.clientSecret)
        profile = ProviderProfile(
            name: configuration.name, kind: kind,
            traits: ProviderTraits(allowsHandles: true, readsSeed: true, renewFraction: configuration.refreshFraction,
                                   revokesOnRemoval: configuration.revokeOnRemoval, maxConcurrent: configuration.maxConcurrent,
                                   firstTokenFromWebLogin: true),
            settings: settings, fingerprint: fingerprint)
    }

    /// The settings whose change means new tokens (the fingerprint's inputs, with the client secret).
    static let tokenAffectingSettings: Set<String> = ["issuer", "token_url", "client_id", "client_secret_file", "client_auth", "scopes"]

    /// A web login's grant is exchanged (``exchange(_:request:)``); without one the first token is a refresh.
    public func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate {
        if let grant = request.grant { return try await exchange(grant, request: request) }
        return try await refresh(request)
    }

    /// What the fragment says about the web login.
    public var loginSettings: WebLoginFragment {
        WebLoginFragment(issuer: configuration.issuer, authorizationURL: configuration.authorizationURL, tokenURL: configuration.tokenURL,
                         userinfoURL: configuration.userinfoURL, clientID: configuration.clientID, clientSecret: configuration.clientSecret,
                         clientAuthentication: configuration.clientAuthentication, scopes: configuration.scopes,
                         quirks: configuration.preset.loginQuirks)
    }

    public func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate {
        if request.metadata?.useRefreshToken == false {
            throw ProviderError.dormant(.refreshDisabled, "\(request.id).meta says use_refresh_token: false; the access token is left as it is")
        }
        guard let seed = request.seed, let refreshToken = seed.refreshToken, !refreshToken.isEmpty else {
            throw ProviderError.terminal(.noRefreshToken, "\(request.id).top holds no refresh_token; the user must log in again")
        }
        let (tokenURL, fromMetadata) = try await endpoint(request)
        let credentials = try clientCredentials(request, tokenURLFromMetadata: fromMetadata)
        let response: TokenResponse
        do {
            response = try await client.refresh(refreshToken: refreshToken, client: credentials, tokenURL: tokenURL)
        } catch {
            var failure = error.providerError
            failure.rotatedSeed = rotation(of: seed, from: refreshToken, to: error.salvagedRefreshToken)
            throw failure
        }
        let rotated = rotation(of: seed, from: refreshToken, to: response.refreshToken)
        do {
            let accessFile = try response.accessTokenFile(issuedAt: request.now)
            // What the answer itself says of the refresh token's life (its JWT `exp`, `refresh_expires_in`); else the
            // engine estimates it from the rotated seed, or keeps what it knew.
            let seedExpiry = RefreshTokenExpiry.estimate(from: response.object, issuedAt: request.now, maximum: nil)
            return CredentialUpdate(accessTokenFile: accessFile.bytes, validity: accessFile.validity, rotatedSeed: rotated,
                                    seedExpiry: seedExpiry)
        } catch {
            var failure = ProviderError.transient(.unusableToken, "\(OAuth2Client.endpoint(tokenURL)): \(error.problem)")
            failure.rotatedSeed = rotated
            throw failure
        }
    }

    /// The new `.top` when the server rotated the refresh token (other keys kept); nil when it did not.
    private func rotation(of seed: SeedFile, from old: String, to new: String?) -> [UInt8]? {
        guard let new, new != old else { return nil }
        return seed.replacingRefreshToken(new)
    }

    public func revoke(_ request: RevocationRequest) async throws {
        guard let refreshToken = request.seed?.refreshToken, !refreshToken.isEmpty, configuration.preset.revocation != .none else { return }
        var revocationURL = configuration.revocationURL
        if revocationURL == nil, let issuer = configuration.issuer, let discovery {
            revocationURL = try? await discovery.metadata(for: issuer).revocationEndpoint
        }
        guard let revocationURL else { return }
        let asRequest = CredentialRequest(id: request.id, seed: request.seed, metadata: request.metadata, now: Date())
        let credentials = try clientCredentials(asRequest, tokenURLFromMetadata: configuration.tokenURL == nil && configuration.issuer == nil)
        do {
            switch configuration.preset.revocation {
            case .rfc7009:
                try await client.revoke(token: refreshToken, hint: "refresh_token", client: credentials, revocationURL: revocationURL)
            case .bearerAccessToken:
                let tokenURL = try await endpoint(asRequest).url
                guard let accessToken = try await accessToken(toRevoke: refreshToken, credentials: credentials, tokenURL: tokenURL) else { return }
                try await client.revokeWithBearer(accessToken: accessToken, revocationURL: revocationURL)
            case .none:
                return
            }
        } catch let error as OAuthError {
            throw error.providerError
        }
    }

    /// A fresh access token of the grant, to revoke it with (Dropbox); nil when the grant is already dead
    /// (`invalid_grant`): nothing is left to revoke, as RFC 7009 §2.2 treats an unknown token.
    private func accessToken(toRevoke refreshToken: String, credentials: ClientCredentials, tokenURL: URL) async throws(OAuthError) -> String? {
        do {
            return try await client.refresh(refreshToken: refreshToken, client: credentials, tokenURL: tokenURL).accessToken
        } catch {
            if error.kind == .protocolError(code: "invalid_grant") { return nil }
            throw error
        }
    }

    /// The client: the fragment's, else the one the web login recorded in `.meta`. A token URL taken from `.meta`
    /// (written by the web app) is only ever used with `.meta`'s own client: the fragment's secret is never sent to
    /// an endpoint the fragment does not name.
    func clientCredentials(_ request: CredentialRequest, tokenURLFromMetadata: Bool) throws(ProviderError) -> ClientCredentials {
        if let id = configuration.clientID, !tokenURLFromMetadata {
            guard configuration.clientSecretFile == nil || configuration.clientSecret != nil else {
                throw .transient(.clientSecretUnreadable, "\(configuration.clientSecretFile ?? ""): the client secret file cannot be read; fix it and send SIGHUP")
            }
            return ClientCredentials(id: id, secret: configuration.clientSecret, authentication: configuration.clientAuthentication)
        }
        guard let id = request.metadata?.clientID else {
            if configuration.clientID != nil {
                throw .terminal(.noTokenURL, "the \(configuration.name) fragment names a client but no token_url or issuer; its secret is never sent to "
                                + "the token_url of \(request.id).meta: add token_url (or issuer) to the fragment")
            }
            throw .terminal(.noClient, "no client_id in the \(configuration.name) fragment nor in \(request.id).meta")
        }
        return ClientCredentials(id: id, secret: request.metadata?.clientSecret, authentication: configuration.clientAuthentication)
    }

    /// The token endpoint: the fragment's, the issuer's discovered one, or `.meta`'s `token_url` (then `fromMetadata`).
    func endpoint(_ request: CredentialRequest) async throws(ProviderError) -> (url: URL, fromMetadata: Bool) {
        if let url = configuration.tokenURL { return (url, false) }
        if let issuer = configuration.issuer, let discovery {
            do {
                return (try await discovery.metadata(for: issuer, now: request.now).tokenEndpoint, false)
            } catch {
                throw error.providerError
            }
        }
        guard let text = request.metadata?.tokenURL, let url = WebURL.parse(text), EndpointPolicy.allows(url) else {
            throw .terminal(.noTokenURL, "no token_url in the \(configuration.name) fragment nor an https token_url in \(request.id).meta")
        }
        return (url, true)
    }
}
