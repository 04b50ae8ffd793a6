import Engine
import CondorConfig
import Foundation

/// Where credmon-web finds its files and how it is reached.
public struct WebConfiguration: Sendable {
    /// The credential directory (`SEC_CREDENTIAL_DIRECTORY_OAUTH`).
    public var credentialDirectory: String
    /// `providers.d`: OAuth fragments fill what a key file leaves out; local issuers are published.
    public var providersDirectory: String
    /// Where local issuers' keys live when their fragment gives no path (as `credmon --key-dir`).
    public var keyDirectory: String
    /// The path every route lives under (the path of `CREDMON_WEB_PREFIX`): "" or "/something", no trailing slash.
    public var prefix: String
    /// The origin users reach through the TLS proxy (`https://host[:port]`), without the prefix; nil = unknown.
    public var publicOrigin: String?
    /// How long a login session lives.
    public var sessionLifetime: TimeInterval
    /// This host's name (default issuer of local fragments).
    public var hostName: String
    /// HTCondor's configuration, when `condor_config_val` is in sight: its provider knobs (`LOCAL_CREDMON_*`,
    /// `<SERVICE>_CLIENT_ID`, …) describe providers too, as they do for the daemon (a fragment wins).
    public var condorKnobs: CondorKnobs?
    /// Time source (tests move it).
    public var now: @Sendable () -> Date
    /// Request sizes and the idle timeout.
    public var limits: RequestLimits

    public init(credentialDirectory: String, providersDirectory: String, keyDirectory: String, prefix: String = "",
                publicOrigin: String? = nil, sessionLifetime: TimeInterval = 7200, hostName: String = "localhost",
                condorKnobs: CondorKnobs? = nil, now: @escaping @Sendable () -> Date = { Date() }, limits: RequestLimits = RequestLimits()) {
        self.credentialDirectory = credentialDirectory
        self.providersDirectory = providersDirectory
        self.keyDirectory = keyDirectory
        self.prefix = Self.normalizedPrefix(prefix)
        self.publicOrigin = publicOrigin.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.sessionLifetime = sessionLifetime
        self.hostName = hostName
        self.condorKnobs = condorKnobs
        self.now = now
        self.limits = limits
    }

    /// HTCondor's `CREDMON_ALLOW_SPECIAL_CHAR_NAMES` (default false), read as the daemon reads it: key files may then
    /// name services with `_` (and `+ = .`), and a token name is the whole service name (contract §B.1.2).
    public var allowsSpecialCharacterNames: Bool { condorKnobs?.allowSpecialCharacterNames ?? false }

    /// Cookies get `Secure` when users reach the app over https.
    public var usesHTTPS: Bool { publicOrigin?.lowercased().hasPrefix("https://") ?? false }

    /// `/x/` → `/x`, `x` → `/x`, `/` → "".
    public static func normalizedPrefix(_ text: String) -> String {
        var path = text.trimmingCharacters(in: .whitespaces)
        while path.hasSuffix("/") { path.removeLast() }
        if !path.isEmpty && !path.hasPrefix("/") { path = "/" + path }
        return path
    }

    /// Splits HTCondor's `CREDMON_WEB_PREFIX` (`https://host/path` or `/path`) into origin and path.
    public static func splitWebPrefix(_ value: String) -> (origin: String?, path: String) {
        guard let components = URLComponents(string: value), let scheme = components.scheme, let host = components.host else {
            return (nil, normalizedPrefix(value))
        }
        let port = components.port.map { ":\($0)" } ?? ""
        return ("\(scheme)://\(host)\(port)", normalizedPrefix(components.path))
    }

    /// An absolute path of this app (prefix included).
    func path(_ route: String) -> String { prefix + route }
}
