import Engine
import FoundationEssentials

/// A Vault credential's `.top` as condor_credd stores it (contract §B.3.1): `{"vault_token", "vault_url",
/// "scopes"?, "audience"?}`; a handle record may hold only `vault_url` (+ scopes/audience) and use its parent's token.
public struct VaultSeed: Sendable {
    public var vaultToken: String?
    public var vaultURL: String
    public var scopes: String?
    public var audience: String?

    /// Nil when the `.top` is not a Vault seed (not a JSON object, or no string `vault_url`).
    public init?(_ seed: SeedFile?) {
        guard case .json(let object)? = seed, let url = object["vault_url"]?.stringValue else { return nil }
        vaultURL = url
        vaultToken = object["vault_token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        scopes = object["scopes"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        audience = object["audience"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The parent record's Vault token (a handle record's `.top` holds none).
    public static func parentToken(_ seed: SeedFile?) -> String? {
        guard case .json(let object)? = seed else { return nil }
        return object["vault_token"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A Vault token may travel in a header only if it is plain printable ASCII.
    public static func isHeaderSafe(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.count <= 4096 && token.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// `vault_url` with `minimum_seconds`, `scopes` and `audience` (a `/creds/` path) or `audiences` (contract §C.4.3).
    public func requestURL(_ components: URLComponents, minimumSeconds: Int) -> URL? {
        var components = components
        var items = components.queryItems ?? []
        items.append(URLQueryItem(name: "minimum_seconds", value: String(minimumSeconds)))
        if let scopes = scopes { items.append(URLQueryItem(name: "scopes", value: scopes)) }
        if let audience = audience {
            items.append(URLQueryItem(name: components.path.contains("/creds/") ? "audience" : "audiences", value: audience))
        }
        components.queryItems = items
        // URLComponents leaves '+' as is in query values; Vault reads it as a space.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacing("+", with: "%2B")
        return components.url
    }
}
