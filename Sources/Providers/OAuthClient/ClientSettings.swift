import Engine

/// `client_auth` in a fragment: RFC 8414's names (`client_secret_post`, `client_secret_basic`) or the oauth2 kind's
/// (`post`, `basic`).
public enum ClientAuthenticationSetting {
    static let names: [(String, ClientAuthentication)] = [
        ("client_secret_post", .post), ("client_secret_basic", .basic), ("post", .post), ("basic", .basic),
    ]

    /// Reads `client_auth`, if present (an unknown name is the reader's error naming the choices).
    public static func read(_ fragment: inout FragmentReader) -> ClientAuthentication? {
        guard let name = fragment.choice("client_auth", of: names.map(\.0)) else { return nil }
        return names.first { $0.0 == name }?.1
    }

    /// The RFC 8414 name, for `credmon check`.
    public static func name(_ authentication: ClientAuthentication) -> String {
        authentication == .basic ? "client_secret_basic" : "client_secret_post"
    }
}

/// A provider's fingerprint (``ProviderProfile/fingerprint``): a hash of the settings that change the tokens it gets,
/// and of its client secret, so that a reload renews tokens only when one of those changed.
public enum TokenSettingsFingerprint {
    public static func of(_ settings: [ProviderProfile.Setting], affecting keys: Set<String>, secret: String?) -> String {
        var hasher = Hasher()
        for setting in settings where keys.contains(setting.key) {
            hasher.combine(setting.key)
            hasher.combine(setting.value)
        }
        hasher.combine(secret)
        return String(UInt(bitPattern: hasher.finalize()), radix: 16)
    }
}
