import Engine
import GenericOAuth

/// `kind: cilogon`: CILogon (OA4MP). Endpoints come from `https://cilogon.org` discovery (override `issuer` for
/// `https://test.cilogon.org`); refresh tokens must be enabled for the client at registration; RFC 7009 revocation.
public enum CILogonKind: OAuthPresetKind {
    public static let kind = "cilogon"

    public static let preset = OAuthPreset(
        issuer: "https://cilogon.org",
        scopes: ["openid", "email", "profile", "org.cilogon.userinfo"],
        revocation: .rfc7009,
        rotation: .configurable,
        tokenURLHosts: [".cilogon.org"])
}
