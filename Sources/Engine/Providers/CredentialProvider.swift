import FoundationEssentials

/// A provider: the thing that turns a credential's seed (`.top`) into an access token (`.use`).
///
/// Providers never touch files: the engine reads the credential, calls the lifecycle, and writes what comes back
/// (a rotated seed durably before the access token). Errors are ``ProviderError``s: terminal ones stop retries until
/// the seed changes; anything else is retried with backoff.
public protocol CredentialProvider: Sendable {
    /// Name, kind, traits and settings, as `credmon check` shows them.
    var profile: ProviderProfile { get }

    /// Obtains the first access token of a credential: from its seed when there is no usable `.use` yet (the
    /// daemon), or from the authorization grant of a web login (``CredentialRequest/grant``, credmon-web), in which
    /// case the update carries the seed and the client metadata to store as well.
    func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate

    /// Renews the access token (and the seed, if the provider rotates it).
    func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate

    /// Invalidates what a removed credential held, where the provider supports it.
    func revoke(_ request: RevocationRequest) async throws

    /// When the current access token should be renewed.
    func renewalDate(for validity: TokenValidity) -> Date

    /// How long a `.use` this provider wrote is valid, read back from the file (`written` is its modification
    /// time). Default: ``AccessTokenFile/validity(fileModified:)``: a JWT's `exp`, `expires_at`, or `expires_in`.
    func validity(of file: AccessTokenFile, written: Date) -> TokenValidity?
}

extension CredentialProvider {
    /// Default due-time rule: `renewFraction` of the token's lifetime.
    public func renewalDate(for validity: TokenValidity) -> Date {
        validity.point(atFraction: profile.traits.renewFraction)
    }

    public func validity(of file: AccessTokenFile, written: Date) -> TokenValidity? {
        file.validity(fileModified: written)
    }
}

/// What a provider is and how the engine should treat it.
public struct ProviderProfile: Sendable {
    /// The service name: credentials `<user>/<name>[_handle].top` belong to it.
    public var name: String
    /// The fragment `kind`.
    public var kind: String
    public var traits: ProviderTraits
    /// Effective settings, for display (never secrets).
    public var settings: [Setting]
    /// Changes whenever a setting that affects issued tokens changes (tokens are then renewed on reload). Keep it
    /// short (a hash): it is compared for every credential on every pass.
    public var fingerprint: String

    public struct Setting: Sendable, Equatable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    public init(name: String, kind: String, traits: ProviderTraits, settings: [Setting], fingerprint: String) {
        self.name = name
        self.kind = kind
        self.traits = traits
        self.settings = settings
        self.fingerprint = fingerprint
    }
}

/// Behaviour the engine needs to know about a provider.
public struct ProviderTraits: Sendable, Equatable {
    /// Whether `service_handle` credentials are accepted (credd refuses handles on local issuers).
    public var allowsHandles: Bool
    /// Whether the engine should read `.top` and `.meta` for each operation.
    public var readsSeed: Bool
    /// Fraction of the lifetime after which a token is renewed.
    public var renewFraction: Double
    /// Whether to call ``CredentialProvider/revoke(_:)`` when a credential disappears.
    public var revokesOnRemoval: Bool
    /// At most this many operations of this provider at once.
    public var maxConcurrent: Int
    /// Whether a `.top` is honoured only when owned by root or by the user the daemon runs as (condor_credd writes
    /// them so). A local issuer mints a token for whoever's directory holds a `.top`: a seed planted by the condor
    /// user, or a compromised web app, must not become a `sub=root` token.
    public var requiresPrivilegedSeed: Bool
    /// Whether a credential's first token comes from a web login that writes `.use` right after `.top` (credmon-web):
    /// a new `.top` without a `.use` then waits briefly for it instead of being refreshed at once.
    public var firstTokenFromWebLogin: Bool
    /// Whether a `.top` written after the `.use` (a new Vault token, a new subject token from a storer) is acted on at
    /// once, even when the access token is not due yet (HTCondor's Vault and Pelican credmons do so).
    public var renewsWhenSeedIsNewer: Bool
    /// Whether, for `service_handle` credentials, the engine also reads the parent's seed (the `.top` named by the
    /// stem before its last `_`) into ``CredentialRequest/parentSeed`` (a Vault handle record holds no Vault token
    /// of its own).
    public var readsParentSeed: Bool

    public init(allowsHandles: Bool, readsSeed: Bool, renewFraction: Double, revokesOnRemoval: Bool, maxConcurrent: Int = 16,
                requiresPrivilegedSeed: Bool = false, firstTokenFromWebLogin: Bool = false,
                renewsWhenSeedIsNewer: Bool = false, readsParentSeed: Bool = false) {
        self.renewsWhenSeedIsNewer = renewsWhenSeedIsNewer
        self.readsParentSeed = readsParentSeed
        self.requiresPrivilegedSeed = requiresPrivilegedSeed
        self.firstTokenFromWebLogin = firstTokenFromWebLogin
        self.allowsHandles = allowsHandles
        self.readsSeed = readsSeed
        self.renewFraction = renewFraction
        self.revokesOnRemoval = revokesOnRemoval
        self.maxConcurrent = maxConcurrent
    }
}

/// Everything a provider gets to work on one credential.
public struct CredentialRequest: Sendable {
    public var id: CredentialID
    /// `.top`, when the provider reads seeds.
    public var seed: SeedFile?
    /// `.meta`, when present and the provider reads seeds.
    public var metadata: ClientMetadata?
    /// The current `.use`, if readable.
    public var current: AccessTokenFile?
    /// The time of the request (from the engine's clock).
    public var now: Date
    /// A web login's authorization grant: the first token comes from it, not from a seed.
    public var grant: AuthorizationGrant?
    /// For a `service_handle` credential of a provider with ``ProviderTraits/readsParentSeed``: the parent's `.top`
    /// (the stem before the last `_`), nil when it is absent or unreadable.
    public var parentSeed: SeedFile?

    public init(id: CredentialID, seed: SeedFile? = nil, metadata: ClientMetadata? = nil, current: AccessTokenFile? = nil, now: Date,
                grant: AuthorizationGrant? = nil) {
        self.id = id
        self.seed = seed
        self.metadata = metadata
        self.current = current
        self.now = now
        self.grant = grant
    }
}

/// What a provider returns: the new `.use` bytes and, if the seed rotated, the new `.top` bytes.
public struct CredentialUpdate: Sendable {
    public var accessTokenFile: [UInt8]
    /// The new token's validity; nil means "unknown" (the engine then uses `expires_in` from the bytes).
    public var validity: TokenValidity?
    /// A rotated seed (or, after a web login, the first seed), written durably before the access token.
    public var rotatedSeed: [UInt8]?
    /// After a web login: the client metadata (`.meta`), written first.
    public var metadata: [UInt8]?
    /// After a web login: who logged in, and what the answer says for the login's own checks.
    public var login: LoginOutcome?
    /// When the seed's own credential expires, where the provider knows (a Vault token's `expire_time`, an answer's
    /// `refresh_expires_in`): shown in `credmon status` and watched (``CredentialHealth``). Nil: the engine estimates it
    /// from a rotated seed, or keeps what it knew.
    public var seedExpiry: CredentialExpiry?

    public init(accessTokenFile: [UInt8], validity: TokenValidity?, rotatedSeed: [UInt8]? = nil, metadata: [UInt8]? = nil,
                login: LoginOutcome? = nil, seedExpiry: CredentialExpiry? = nil) {
        self.seedExpiry = seedExpiry
        self.accessTokenFile = accessTokenFile
        self.validity = validity
        self.rotatedSeed = rotatedSeed
        self.metadata = metadata
        self.login = login
    }
}

/// A credential that disappeared, with the last seed the engine saw.
public struct RevocationRequest: Sendable {
    public var id: CredentialID
    public var seed: SeedFile?
    public var metadata: ClientMetadata?

    public init(id: CredentialID, seed: SeedFile?, metadata: ClientMetadata?) {
        self.id = id
        self.seed = seed
        self.metadata = metadata
    }
}
