import Engine
import FoundationEssentials
import Logging

/// Fetches a Vault credential's access token (contract §C.4): `GET <vault_url>` with `X-Vault-Token`,
/// `minimum_seconds`, `scopes` and `audience`/`audiences`; writes the bare token and a newline. Fetch and refresh are
/// the same request. A `permission denied` answer discards the credential (its `.top` and `.use` go, so the next
/// submission runs the storer again); nothing is revoked, as the Vault token is the user's.
struct VaultProvider: CredentialProvider {
    let configuration: VaultConfiguration
    let connection: VaultConnection
    let tokenLifetimes: VaultTokenLifetimes
    let logger: Logger
    let profile: ProviderProfile

    init(configuration: VaultConfiguration, connection: VaultConnection, logger: Logger) {
        self.configuration = configuration
        self.connection = connection
        self.tokenLifetimes = VaultTokenLifetimes()
        self.logger = logger
        profile = ProviderProfile(
            name: configuration.name, kind: VaultKind.kind,
            traits: ProviderTraits(allowsHandles: true, readsSeed: true, renewFraction: 0.5, revokesOnRemoval: false,
                                   maxConcurrent: configuration.maxConcurrent, renewsWhenSeedIsNewer: true, readsParentSeed: true),
            settings: configuration.settings,
            fingerprint: "vault:\(configuration.minimumSeconds)")
    }

    var policy: VaultURLPolicy { VaultURLPolicy(allowedPorts: configuration.allowedPorts, trustedHosts: configuration.trustedHosts) }

    func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate { try await obtain(request) }
    func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate { try await obtain(request) }

    /// Nothing to revoke: the Vault token belongs to the user (htgettoken), and HTCondor's Vault credmon revokes nothing.
    func revoke(_ request: RevocationRequest) async throws {}

    /// HTCondor fetches again every `refresh_interval` after the `.use` was written; Credmon also at half the token's
    /// remaining lifetime when that comes sooner (a JWT's `exp`).
    func renewalDate(for validity: TokenValidity) -> Date {
        min(validity.issuedAt.addingTimeInterval(Double(configuration.refreshInterval)), validity.point(atFraction: 0.5))
    }

    /// From the `.use`'s write time to the JWT's `exp`, or to `minimum_seconds` later for an opaque token (Vault hands
    /// out tokens with at least that much left).
    func validity(of file: AccessTokenFile, written: Date) -> TokenValidity? {
        validity(of: file.accessToken, written: written)
    }

    func validity(of token: String, written: Date) -> TokenValidity {
        let expiry = (try? JWTClaims.peek(token))??.expiration
        return TokenValidity(issuedAt: written, expiresAt: expiry ?? written.addingTimeInterval(Double(configuration.minimumSeconds)))
    }

    private func obtain(_ request: CredentialRequest) async throws(ProviderError) -> CredentialUpdate {
        let (seed, vaultToken) = try credential(request)
        let components = try policy.check(seed.vaultURL).get()
        guard let url = seed.requestURL(components, minimumSeconds: configuration.minimumSeconds) else {
            throw .terminal(.untrustedEndpoint, "vault_url \(VaultURLPolicy.withoutQuery(seed.vaultURL)) cannot carry the request's parameters")
        }
        let response: HTTPResponse
        do {
            response = try await connection.send(HTTPRequest(method: "GET", url: url, headers: [("X-Vault-Token", vaultToken), ("Accept", "application/json")],
                                                             timeout: .seconds(configuration.timeout)))
        } catch {
            throw .transient(.network, "\(error)")
        }
        guard response.status == 200 else { throw VaultAnswer.failure(response) }
        let token = try VaultAnswer.accessToken(response).get()
        let seedExpiry = await tokenLifetimes.expiry(of: vaultToken, now: request.now) { () async -> HTTPResponse? in
            var lookup = components
            lookup.percentEncodedPath = "/v1/auth/token/lookup-self"
            lookup.percentEncodedQuery = nil
            guard let lookupURL = lookup.url else { return nil }
            return try? await connection.send(HTTPRequest(method: "GET", url: lookupURL, headers: [("X-Vault-Token", vaultToken)], timeout: .seconds(configuration.timeout)))
        }
        return CredentialUpdate(accessTokenFile: Array((token + "\n").utf8), validity: validity(of: token, written: request.now),
                                seedExpiry: seedExpiry.map { CredentialExpiry(expiresAt: $0, source: .vaultTokenTTL) })
    }

    /// The seed and the Vault token to use: the `.top`'s own, or for a handle record its parent's (contract §C.4.3).
    private func credential(_ request: CredentialRequest) throws(ProviderError) -> (VaultSeed, String) {
        guard let seed = VaultSeed(request.seed) else {
            let message = "\(request.id.token.stem).top is not a Vault credential (a JSON object with vault_url)"
            // The wildcard provider meets every unclaimed .top: one that is not Vault's is left alone, quietly.
            throw configuration.isWildcard ? .dormant(.unusableSeed, message + "; left alone") : .terminal(.unusableSeed, message)
        }
        if let own = seed.vaultToken {
            guard VaultSeed.isHeaderSafe(own) else { throw .terminal(.unusableSeed, "the vault_token in \(request.id.token.stem).top is not printable ASCII") }
            return (seed, own)
        }
        guard let parent = request.id.token.parentStem else {
            throw .terminal(.unusableSeed, "\(request.id.token.stem).top holds no vault_token")
        }
        guard let parentSeed = request.parentSeed else {
            throw .discard(.seedRejected, "\(parent).top, which holds the Vault token of this handle, is gone")
        }
        guard let inherited = VaultSeed.parentToken(parentSeed), VaultSeed.isHeaderSafe(inherited) else {
            throw .terminal(.unusableSeed, "neither \(request.id.token.stem).top nor its parent \(parent).top holds a vault_token")
        }
        return (seed, inherited)
    }
}

/// The remaining lifetime of Vault tokens (`auth/token/lookup-self`), asked at most once an hour per token, for
/// `credmon status`. Kept by a hash of the token, never the token.
actor VaultTokenLifetimes {
    private var known: [Int: (expiry: Date?, asked: Date)] = [:]
    static let askAgainAfter: TimeInterval = 3600

    func expiry(of token: String, now: Date, lookUp: @Sendable () async -> HTTPResponse?) async -> Date? {
        var hasher = Hasher()
        hasher.combine(token)
        let key = hasher.finalize()
        if let entry = known[key], now.timeIntervalSince(entry.asked) < Self.askAgainAfter { return entry.expiry }
        guard let response = await lookUp() else { return known[key]?.expiry }
        let expiry = VaultAnswer.tokenExpiry(response, now: now)
        if known.count > 100_000 { known.removeAll() }
        known[key] = (expiry, now)
        return expiry
    }
}
