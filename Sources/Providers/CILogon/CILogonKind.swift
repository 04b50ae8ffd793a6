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
        rotation: .configurable)

    public static func makeProvider(name: String, fragment: inout FragmentReader, context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        try OAuthProviderFactory.make(name: name, kind: kind, preset: preset, fragment: &fragment, context: context)
    }
}
