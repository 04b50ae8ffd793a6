import Engine

/// A provider kind that is a preset of the generic OAuth provider: its defaults, for whoever needs them without a
/// fragment (credmon-web, for a service HTCondor's knobs alone describe).
public protocol OAuthPresetKind: ProviderKind {
    static var preset: OAuthPreset { get }
}
