import Engine
import FoundationEssentials

/// What a provider kind knows about its service before the fragment says anything: endpoints, scopes, traits.
public struct OAuthPreset: Sendable {
    public var issuer: String?
    public var authorizationURL: String?
    public var tokenURL: String?
    public var revocationURL: String?
    public var userinfoURL: String?
    public var scopes: [String]
    /// Renew after this fraction of the access token's lifetime.
    public var refreshFraction: Double
    /// How tokens are revoked at this provider.
    public var revocation: RevocationStyle
    /// Whether a fragment that does not say `revoke_on_removal` revokes when condor_credd removes a credential: yes
    /// where the provider can revoke one grant, no where revocation ends more than this access point's (Dropbox).
    public var revokesOnRemovalByDefault: Bool
    /// Extra authorization-request parameters the provider needs to hand out a refresh token (for the web login).
    public var authorizationParameters: [String: String]
    /// Whether the provider rotates refresh tokens (informational; the engine always keeps a returned one).
    public var rotation: Rotation
    /// Token-URL host suffixes by which HTCondor (and Credmon) recognise a fragment-less service as this provider.
    public var tokenURLHosts: [String]
    /// How the user-info endpoint is called: `GET`, or `POST` without a body (Dropbox).
    public var userinfoMethod: String
    /// How long a refresh token lives from the login or its last rotation, where the provider documents it (Box 60
    /// days, Microsoft 90 days); 0 when it does not expire (Dropbox); nil when unknown. A fragment's
    /// `refresh_token_lifetime` overrides it.
    public var refreshTokenLifetime: TimeInterval?

    /// How a provider revokes.
    public enum RevocationStyle: String, Sendable {
        /// RFC 7009: POST `token` (+ hint) with client authentication.
        case rfc7009
        /// Dropbox: obtain an access token with the refresh token, then POST to the revoke URL with it as Bearer; this
        /// disables the whole grant.
        case bearerAccessToken
        /// No revocation endpoint.
        case none
    }

    /// Refresh-token rotation behaviour.
    public enum Rotation: String, Sendable {
        case always, oldStaysValid, never, configurable
    }

    public init(issuer: String? = nil, authorizationURL: String? = nil, tokenURL: String? = nil, revocationURL: String? = nil,
                userinfoURL: String? = nil, scopes: [String] = [], refreshFraction: Double = 0.5,
                revocation: RevocationStyle = .rfc7009, authorizationParameters: [String: String] = [:],
                rotation: Rotation = .configurable, tokenURLHosts: [String] = [], userinfoMethod: String = "GET",
                revokesOnRemovalByDefault: Bool? = nil, refreshTokenLifetime: TimeInterval? = nil) {
        self.refreshTokenLifetime = refreshTokenLifetime
        self.revokesOnRemovalByDefault = revokesOnRemovalByDefault ?? (revocation != .none)
        self.issuer = issuer
        self.authorizationURL = authorizationURL
        self.tokenURL = tokenURL
        self.revocationURL = revocationURL
        self.userinfoURL = userinfoURL
        self.scopes = scopes
        self.refreshFraction = refreshFraction
        self.revocation = revocation
        self.authorizationParameters = authorizationParameters
        self.rotation = rotation
        self.tokenURLHosts = tokenURLHosts
        self.userinfoMethod = userinfoMethod
    }

    /// What the web login needs beyond RFC 6749: the offline-access parameters and scope, the user-info call.
    public var loginQuirks: LoginQuirks {
        LoginQuirks(authorizationParameters: authorizationParameters,
                    requiredScopes: scopes.filter { $0 == "offline_access" },
                    userinfoURL: userinfoURL, userinfoMethod: userinfoMethod)
    }

    /// Any RFC 6749 server: everything comes from the fragment, discovery or `.meta`.
    public static let generic = OAuthPreset()
}
