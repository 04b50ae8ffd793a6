import Box
import CILogon
import Dropbox
import Engine
import GenericOAuth
import GoogleDrive
import LocalSciToken
import OneDrive

/// Every provider kind this build of Credmon supports. A new provider is a new target and one line here.
public let supportedProviderKinds: [any ProviderKind.Type] = [
    LocalSciTokenKind.self,
    GenericOAuthKind.self,
    CILogonKind.self,
    BoxKind.self,
    GoogleDriveKind.self,
    OneDriveKind.self,
    DropboxKind.self,
]
