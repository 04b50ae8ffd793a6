import Logging

/// A kind of provider (`kind:` in a fragment): everything the daemon, `credmon check`, `import-condor-config` and
/// credmon-web need to know about it, and how to build one from its fragment.
///
/// Only ``kind`` and ``makeProvider(name:fragment:context:)`` are required; the rest have defaults for a kind that
/// serves no HTCondor knobs and plays no part in the web app. The kinds of a build are listed once, in the
/// `ProviderCatalog` target; nothing is discovered at run time.
public protocol ProviderKind: Sendable {
    /// The `kind:` value, e.g. `local-scitoken`.
    static var kind: String { get }

    /// What this kind does in one line, for `credmon check` and the docs.
    static var summary: String { get }

    /// The condor_credd credential type of the services this kind serves: knob routing and the `check` cross-check
    /// compare it with condor_credd's sort of the service name. Default: ``CondorCredentialType/oauth2``.
    static var credentialType: CondorCredentialType { get }

    /// Whether this kind serves a service of ``credentialType`` that no other kind of that type recognises (by
    /// token-URL host or name). Exactly one kind per credential type should say so. Default: false.
    static var servesUnrecognisedServices: Bool { get }

    /// Token-URL host suffixes (`.box.com`) by which a service without a fragment is recognised as this kind, as
    /// HTCondor recognises its providers. Default: none.
    static var tokenURLHosts: [String] { get }

    /// Service names by which a service without a fragment and without a recognised token URL is this kind
    /// (`box`). Default: none.
    static var serviceNames: [String] { get }

    /// The part this kind plays in credmon-web. Default: ``WebRole/none``.
    static var webRole: WebRole { get }

    /// What is known of the life of this kind's long-lived credentials (what `refresh_token_lifetime` may set, how
    /// ``CredentialHealth`` is assessed). Default: ``CredentialLifetime/unknown``.
    static var credentialLifetime: CredentialLifetime { get }

    /// Whether a provider of this kind may be named `*`: it then serves every service no other provider serves (and
    /// HTCondor's knobs give to no other credential type), as `VAULT_CREDMON_PROVIDER_NAMES = *` does. Default: false.
    static var servesWildcard: Bool { get }

    /// Translates HTCondor's knobs for `service` (which condor_credd sorts as ``credentialType``) into the keys
    /// of a fragment of this kind. Default: nil (HTCondor's knobs cannot describe this kind).
    static func knobFragment(service: String, knobs: CondorKnobs) -> KnobFragment?

    /// Builds a provider from a fragment. Read every key through `fragment`, call `fragment.finish()`, and throw
    /// its errors (plus any of your own, each naming the key) if there are any.
    static func makeProvider(
        name: String,
        fragment: inout FragmentReader,
        context: ProviderBuildContext
    ) throws(ConfigurationErrors) -> any CredentialProvider
}

extension ProviderKind {
    public static var summary: String { "" }
    public static var credentialType: CondorCredentialType { .oauth2 }
    public static var servesUnrecognisedServices: Bool { false }
    public static var tokenURLHosts: [String] { [] }
    public static var serviceNames: [String] { [] }
    public static var webRole: WebRole { .none }
    public static var servesWildcard: Bool { false }
    public static var credentialLifetime: CredentialLifetime { .unknown }
    public static func knobFragment(service: String, knobs: CondorKnobs) -> KnobFragment? { nil }
}

/// The part a provider kind plays in credmon-web.
public enum WebRole: Sendable, Equatable {
    /// None: its credentials never pass through the web app.
    case none
    /// Its providers publish an issuer's documents (openid-configuration and JWKS); built for the web app they
    /// conform to the Signers module's `IssuerPublishing`.
    case publishesIssuer
    /// Users log in through the web app (OAuth authorization code); its providers take the code through
    /// ``CredentialProvider/fetch(_:)`` with an ``AuthorizationGrant``.
    case oauthLogin(LoginQuirks)
}

/// What a provider needs in the authorization request and after it, beyond RFC 6749, to hand out a refresh token
/// and to name the account that logged in.
public struct LoginQuirks: Sendable, Equatable {
    /// Extra authorization-request parameters (`access_type=offline`, `token_access_type=offline`, …).
    public var authorizationParameters: [String: String]
    /// Scopes always requested (`offline_access`).
    public var requiredScopes: [String]
    /// The provider's user-info endpoint, used when the token URL is the provider's own.
    public var userinfoURL: String?
    /// How the user-info endpoint is called: `GET`, or `POST` without a body (Dropbox).
    public var userinfoMethod: String

    public init(authorizationParameters: [String: String] = [:], requiredScopes: [String] = [], userinfoURL: String? = nil,
                userinfoMethod: String = "GET") {
        self.authorizationParameters = authorizationParameters
        self.requiredScopes = requiredScopes
        self.userinfoURL = userinfoURL
        self.userinfoMethod = userinfoMethod
    }

    /// Plain RFC 6749 / OpenID Connect.
    public static let standard = LoginQuirks()
}

/// What a provider may need from its surroundings while it is built.
public struct ProviderBuildContext: Sendable {
    /// Where keys without an explicit path live (`/etc/condor` under HTCondor).
    public var keyDirectory: String
    /// This host's fully qualified name (default issuer `https://<host>`), resolved on first use: a configuration
    /// that names its issuers never waits for a name lookup.
    public var hostName: String { hostNameSource.value }
    private let hostNameSource: LazyHostName
    /// Whether a missing local signing key may be generated (the daemon: yes; `credmon check`: no).
    public var createMissingKeys: Bool
    /// Whether provider names may use credd's wider character set (`CREDMON_ALLOW_SPECIAL_CHAR_NAMES`).
    public var allowSpecialCharacterNames: Bool
    /// Whether providers read their secrets: client secret files, private keys (the daemon and `check`: yes;
    /// credmon-web, which runs as `condor`, gets each client secret from the key file condor_credd wrote and
    /// publishes only public keys: no).
    public var readsClientSecrets: Bool
    /// The HTTP client providers that speak HTTP share (owned by the executable, shut down with it); nil where
    /// nothing may be sent (e.g. `credmon check`): such providers then fail their operations.
    public var http: (any HTTPClient)?
    public var logger: Logger

    public init(keyDirectory: String, hostName: String, createMissingKeys: Bool, allowSpecialCharacterNames: Bool = false,
                readsClientSecrets: Bool = true, http: (any HTTPClient)? = nil, logger: Logger) {
        self.init(keyDirectory: keyDirectory, resolveHostName: { hostName }, createMissingKeys: createMissingKeys,
                  allowSpecialCharacterNames: allowSpecialCharacterNames, readsClientSecrets: readsClientSecrets, http: http,
                  logger: logger)
    }

    /// - Parameter resolveHostName: called at most once, the first time a provider asks for ``hostName``.
    public init(keyDirectory: String, resolveHostName: @escaping @Sendable () -> String, createMissingKeys: Bool,
                allowSpecialCharacterNames: Bool = false, readsClientSecrets: Bool = true, http: (any HTTPClient)? = nil,
                logger: Logger) {
        self.keyDirectory = keyDirectory
        self.hostNameSource = LazyHostName(resolveHostName)
        self.createMissingKeys = createMissingKeys
        self.allowSpecialCharacterNames = allowSpecialCharacterNames
        self.readsClientSecrets = readsClientSecrets
        self.http = http
        self.logger = logger
    }
}
