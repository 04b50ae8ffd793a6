import Engine
import GenericOAuth

/// `kind: onedrive`: Microsoft identity platform. Needs the `offline_access` scope; refresh tokens are replaced on
/// every use but the old one stays valid; there is no revocation endpoint.
public enum OneDriveKind: OAuthPresetKind {
    public static let kind = "onedrive"

    public static let preset = OAuthPreset(
        authorizationURL: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        tokenURL: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        userinfoURL: "https://graph.microsoft.com/v1.0/me",
        scopes: ["offline_access", "Files.ReadWrite.All"],
        revocation: .none,
        rotation: .oldStaysValid,
        tokenURLHosts: [".microsoftonline.com"],
        // Microsoft: 90 days, replaced on every use (the new one lives 90 days again); not configurable.
        refreshTokenLifetime: 90 * 86_400)
}
