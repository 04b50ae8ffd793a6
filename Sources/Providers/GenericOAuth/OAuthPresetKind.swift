import Engine

/// A provider kind that is a preset of the generic OAuth provider. A preset module declares its `kind` and its
/// ``preset`` and nothing else: the provider, the knob translation, the web-login role and the recognition by
/// token-URL host or service name all come from here.
public protocol OAuthPresetKind: ProviderKind {
    static var preset: OAuthPreset { get }
}

extension OAuthPresetKind {
    public static var credentialType: CondorCredentialType { .oauth2 }
    public static var tokenURLHosts: [String] { preset.tokenURLHosts }
    public static var serviceNames: [String] { [kind] }
    public static var webRole: WebRole { .oauthLogin(preset.loginQuirks) }
    public static var credentialLifetime: CredentialLifetime { .refreshToken(maximum: preset.refreshTokenLifetime) }

    public static func knobFragment(service: String, knobs: CondorKnobs) -> KnobFragment? {
        OAuthKnobs.fragment(service: service, kind: kind, knobs: knobs)
    }

    public static func makeProvider(name: String, fragment: inout FragmentReader, context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        try OAuthProviderFactory.make(name: name, kind: kind, preset: preset, fragment: &fragment, context: context)
    }
}
