import Engine
import FoundationEssentials

/// Where `--metrics-listen` / `CREDMON_METRICS_LISTEN` serves: `HOST:PORT`, `[IPv6]:PORT`, or `PORT` / `:PORT` for
/// 127.0.0.1. A host that is not loopback is served too (the admin named it), and the daemon logs a notice.
public struct MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses the flag's or knob's text; or why it is not an address.
    public static func parse(_ text: String) -> Result<MetricsAddress, MetricsSettingError> {
        let trimmed = text.trimmingSpaces()
        var host = "127.0.0.1"
        var portText = trimmed
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]"), trimmed[trimmed.index(after: close)...].hasPrefix(":") else {
                return .failure(MetricsSettingError(text: text, problem: "an IPv6 address is written [ADDRESS]:PORT"))
            }
            host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            portText = String(trimmed[trimmed.index(close, offsetBy: 2)...])
        } else if let colon = trimmed.lastIndex(of: ":") {
            let named = String(trimmed[..<colon])
            if named.contains(":") {
                return .failure(MetricsSettingError(text: text, problem: "an IPv6 address is written [ADDRESS]:PORT"))
            }
            if !named.isEmpty { host = named }
            portText = String(trimmed[trimmed.index(after: colon)...])
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || ".-:%_".contains($0) }) else {
            return .failure(MetricsSettingError(text: text, problem: "the host is not a name or an address"))
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            return .failure(MetricsSettingError(text: text, problem: "the port must be a number from 0 to 65535"))
        }
        return .success(MetricsAddress(host: host, port: port))
    }

    /// Whether only this machine can reach the address (`localhost`, 127.0.0.0/8, `::1`).
    public var isLoopback: Bool {
        let lower = host.lowercased()
        return lower == "localhost" || lower == "::1" || lower.hasPrefix("127.")
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// A metrics setting that cannot be used: the text, where it came from, and what is wrong.
public struct MetricsSettingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var problem: String
    public var description: String { "'\(SafeText.printable(text, limit: 80))' is not HOST:PORT: \(problem)" }
}
