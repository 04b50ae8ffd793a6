import Engine
import FoundationEssentials

/// Which `vault_url`s Credmon sends a Vault token to (contract §C.4.3): https, a path under `/v1`, an allowed port
/// (HTCondor: an explicit 8200), a trusted host (`TRUSTED_VAULT_HOSTS`). Plain http only on loopback (tests).
public struct VaultURLPolicy: Sendable {
    public var allowedPorts: Set<Int>?
    public var trustedHosts: Set<String>?

    public init(allowedPorts: Set<Int>?, trustedHosts: Set<String>?) {
        self.allowedPorts = allowedPorts
        self.trustedHosts = trustedHosts
    }

    /// The URL's components when it passes, or what is wrong and which key changes it.
    public func check(_ text: String) -> Result<URLComponents, ProviderError> {
        func refuse(_ problem: String) -> Result<URLComponents, ProviderError> {
            .failure(.terminal(.untrustedEndpoint, "vault_url \(SafeText.printable(Self.withoutQuery(text), limit: 200)) refused: \(problem)"))
        }
        guard text.utf8.count <= 2048, let components = WebURL.components(text), let host = components.host?.lowercased(),
              !host.isEmpty else {
            return refuse("not a URL")
        }
        let loopback = host == "127.0.0.1" || host == "::1" || host == "[::1]" || host == "localhost"
        guard components.scheme == "https" || (components.scheme == "http" && loopback) else {
            return refuse("it must use https")
        }
        guard components.user == nil, components.password == nil, components.fragment == nil else {
            return refuse("it must not carry credentials or a fragment")
        }
        if let allowedPorts {
            guard let port = components.port, allowedPorts.contains(port) else {
                return refuse("its port must be \(allowedPorts.sorted().map(String.init).joined(separator: " or ")) and explicit (allowed_ports)")
            }
        }
        let path = components.percentEncodedPath
        guard path == "/v1" || path.hasPrefix("/v1/"), !path.split(separator: "/").contains("..") else {
            return refuse("its path must start with /v1/")
        }
        if let trustedHosts, !trustedHosts.contains(host) {
            return refuse("host \(host) is not in trusted_hosts (TRUSTED_VAULT_HOSTS)")
        }
        return .success(components)
    }

    /// The URL without its query, for messages.
    public static func withoutQuery(_ text: String) -> String {
        String(text.split(separator: "?", maxSplits: 1).first ?? "")
    }
}
