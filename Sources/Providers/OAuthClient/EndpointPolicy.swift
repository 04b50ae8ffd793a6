import FoundationEssentials

/// Where tokens and client secrets may be sent: https anywhere, plain http only to this machine's loopback
/// addresses (test servers, a local proxy). Used for configured URLs and for endpoints learnt by discovery alike.
public enum EndpointPolicy {
    /// Whether `url` may carry secrets.
    public static func allows(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else { return false }
        return scheme == "https" || (scheme == "http" && isLoopback(host))
    }

    /// `localhost`, `127.0.0.0/8` and `::1`.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
