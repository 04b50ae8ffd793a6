import Engine
import GenericOAuth

/// `kind: gdrive`: Google Drive. Refresh tokens are not rotated (the refresh answer has none; the old one is kept)
/// and are only handed out with `access_type=offline` and `prompt=consent`. RFC 7009-style revocation.
public enum GoogleDriveKind: OAuthPresetKind {
    public static let kind = "gdrive"

    public static let preset = OAuthPreset(
        authorizationURL: "https://accounts.google.com/o/oauth2/v2/auth",
        tokenURL: "https://oauth2.googleapis.com/token",
        revocationURL: "https://oauth2.googleapis.com/revoke",
        userinfoURL: "https://www.googleapis.com/drive/v3/about?fields=user",
        scopes: ["https://www.googleapis.com/auth/drive"],
        revocation: .rfc7009,
        authorizationParameters: ["access_type": "offline", "prompt": "consent"],
        rotation: .never,
        tokenURLHosts: [".googleapis.com"])
}
