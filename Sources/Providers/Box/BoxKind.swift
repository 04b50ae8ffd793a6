import Engine
import GenericOAuth

/// `kind: box`: Box. Refresh tokens are single-use and rotate on every refresh (a reused one kills the grant), so
/// tokens are renewed at 95 % of their lifetime, as HTCondor does, and the new refresh token is persisted first.
/// Revocation: `POST https://api.box.com/oauth2/revoke` with client id, secret and token.
public enum BoxKind: OAuthPresetKind {
    public static let kind = "box"

    public static let preset = OAuthPreset(
        authorizationURL: "https://account.box.com/api/oauth2/authorize",
        tokenURL: "https://api.box.com/oauth2/token",
        revocationURL: "https://api.box.com/oauth2/revoke",
        userinfoURL: "https://api.box.com/2.0/users/me",
        refreshFraction: 0.95,
        revocation: .rfc7009,
        rotation: .always,
        tokenURLHosts: [".box.com"],
        // "A refresh token is valid for 60 days"; every refresh returns a new one, and the 60 days start again.
        refreshTokenLifetime: 60 * 86_400)
}
