import Box
import CILogon
import ClientCredentials
import Dropbox
import Engine
import GenericOAuth
import GoogleDrive
import LocalSciToken
import OneDrive
import TokenExchange
import Vault

/// The provider kinds of this build of Credmon. A new provider is a module of its own, one line here and its
/// target in `Package.swift` (docs/PROVIDERS.md). The daemon, `credmon check`, `import-condor-config` and
/// credmon-web all take their kinds from here; no other file names a kind.
public enum ProviderCatalog {
    /// Every kind, in the order `credmon check` lists them.
    public static let kinds: [any ProviderKind.Type] = [
        LocalSciTokenKind.self,
        GenericOAuthKind.self,
        CILogonKind.self,
        BoxKind.self,
        GoogleDriveKind.self,
        OneDriveKind.self,
        DropboxKind.self,
        VaultKind.self,
        ClientCredentialsKind.self,
        TokenExchangeKind.self,
    ]

    /// The checked catalog. Two kinds with one name (or two kinds both serving a credential type's unrecognised
    /// services) are an error naming them: the executables refuse to start.
    public static func load() throws(KindCatalog.Problem) -> KindCatalog {
        try KindCatalog(kinds)
    }
}
