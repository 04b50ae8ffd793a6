import Engine
import Foundation

/// A Vault credential's `.top` as condor_credd stores it (contract §B.3.1): `{"vault_token", "vault_url",
/// "scopes"?, "audience"?}`; a handle record may hold only `vault_url` (+ scopes/audience) and use its parent's token.
struct VaultSeed: Sendable {
    var vaultToken: String?
    var vaultURL: String
    var scopes: String?
    var audience: String?

    /// Nil when the `.top` is not a Vault seed (not a JSON object, or no string `vault_url`).
    init?(_ seed: SeedFile?) {
        guard case .json(let object)? = seed, let url = object["vault_url"]?.stringValue else { return nil }
        vaultURL = url
        vaultToken = object["vault_token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        scopes = object["scopes"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        audience = object["audience"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The parent record's Vault token (a handle record's `.top` holds none).
    static func parentToken(_ seed: SeedFile?) -> String? {
        guard case .json(let object)? = seed else { return nil }
        return object["vault_token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A Vault token may travel in a header only if it is plain printable ASCII.
    static func isHeaderSafe(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.count <= 4096 && token.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
