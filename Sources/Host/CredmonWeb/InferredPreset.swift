import CondorConfig
import CredmonHost
import GenericOAuth

/// The preset of a service that has no `providers.d` fragment (an HTCondor site that only has the
/// `<SERVICE>_CLIENT_ID`, … knobs): recognised as HTCondor recognises its providers, by the key file's token URL host
/// (`*.googleapis.com`, `*.box.com`, …), else by the service name (`gdrive`, `box`, `onedrive`, `dropbox`, `cilogon`).
/// The login takes its offline-access parameters and scopes; the endpoints stay the key file's, except the user-info
/// URL when the token URL is the provider's own (the display name, as HTCondor's app found it).
enum InferredPreset {
    static func preset(service: String, tokenURL: String?) -> (preset: OAuthPreset, providerHost: Bool)? {
        var kind = KnobTranslator.kind(service: service, tokenURL: tokenURL)
        let providerHost = kind != GenericOAuthKind.kind
        if !providerHost { kind = KnobTranslator.kind(service: service, tokenURL: nil) }
        guard let presetKind = supportedProviderKinds.first(where: { $0.kind == kind }) as? any OAuthPresetKind.Type else { return nil }
        return (presetKind.preset, providerHost)
    }
}
