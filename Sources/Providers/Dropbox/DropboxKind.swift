import Engine
import GenericOAuth

/// `kind: dropbox`: Dropbox. Refresh tokens need `token_access_type=offline`, never expire and are not rotated.
/// Revocation is Dropbox's own call: `POST /2/auth/token/revoke` with a Bearer access token, which disables the
/// whole grant (Credmon obtains a fresh access token with the refresh token first): every access point and device the
/// user logged in with loses it, so it is off unless a fragment sets `revoke_on_removal: true`.
public enum DropboxKind: OAuthPresetKind {
    public static let kind = "dropbox"

    public static let preset = OAuthPreset(
        authorizationURL: "https://www.dropbox.com/oauth2/authorize",
        tokenURL: "https://api.dropboxapi.com/oauth2/token",
        revocationURL: "https://api.dropboxapi.com/2/auth/token/revoke",
        userinfoURL: "https://api.dropboxapi.com/2/users/get_current_account",
        revocation: .bearerAccessToken,
        authorizationParameters: ["token_access_type": "offline"],
        rotation: .never,
        tokenURLHosts: [".dropboxapi.com", ".dropbox.com"],
        userinfoMethod: "POST",
        revokesOnRemovalByDefault: false,
        // Dropbox's offline refresh tokens do not expire by themselves.
        refreshTokenLifetime: 0)
}
