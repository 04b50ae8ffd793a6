import FoundationEssentials
import Glibc

/// Exponential backoff with jitter for failing credentials.
public struct Backoff: Sendable, Equatable {
    public var initial: TimeInterval
    public var maximum: TimeInterval
    /// Jitter as a fraction of the delay (0.2 = ±20 %).
    public var jitter: Double

    public init(initial: TimeInterval = 5, maximum: TimeInterval = 600, jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The delay before attempt `failures + 1`; a server's `Retry-After` is honoured when longer, up to `maximum`.
    /// Never less than a second (the renewal floor).
    public func delay(afterFailures failures: Int, retryAfter: TimeInterval? = nil) -> TimeInterval {
        let exponent = Double(max(0, min(failures - 1, 30)))
        let base = min(maximum, initial * pow(2, exponent))
        let spread = base * jitter
        let jittered = base + Double.random(in: -spread...spread)
        let asked = retryAfter.map { $0.isFinite ? min(max(0, $0), maximum) : maximum } ?? 0
        return max(asked, max(1, jittered))
    }
}
