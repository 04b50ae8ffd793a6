import Box
import CILogon
import CondorConfig
import Dropbox
import GenericOAuth
import GoogleDrive
import OneDrive

/// The preset of a service that has no `providers.d` fragment (an HTCondor site that only has the
/// `<SERVICE>_CLIENT_ID`, … knobs): recognised as HTCondor recognises its providers, by the key file's token URL host
/// (`*.googleapis.com`, `*.box.com`, …), else by the service name (`gdrive`, `box`, `onedrive`, `dropbox`, `cilogon`).
/// Only what the login needs is taken from it (the offline-access parameters and scopes); the endpoints stay the key
/// file's.
enum InferredPreset {
    static func preset(service: String, tokenURL: String?) -> OAuthPreset? {
        var kind = KnobTranslator.kind(service: service, tokenURL: tokenURL)
        if kind == GenericOAuthKind.kind { kind = KnobTranslator.kind(service: service, tokenURL: nil) }
        switch kind {
        case GoogleDriveKind.kind: return GoogleDriveKind.preset
        case BoxKind.kind: return BoxKind.preset
        case OneDriveKind.kind: return OneDriveKind.preset
        case DropboxKind.kind: return DropboxKind.preset
        case CILogonKind.kind: return CILogonKind.preset
        default: return nil
        }
    }
}
