import FoundationEssentials

/// The `Retry-After` header (RFC 9110 §10.2.3): delay-seconds (digits only) or an HTTP-date, as a number of seconds
/// from `now` between 0 and `maximum`. Anything else is ignored (nil): a server cannot make the daemon trap or wait
/// for ever with `1e999`, `-5` or `NaN`.
public enum RetryAfter {
    /// The longest wait a server can ask for before it is clamped (the engine clamps again to its backoff maximum).
    public static let defaultMaximum: TimeInterval = 86_400

    public static func seconds(_ value: String, now: Date, maximum: TimeInterval = defaultMaximum) -> TimeInterval? {
        let text = value.trimmingSpaces()
        guard !text.isEmpty, text.utf8.count <= 64 else { return nil }
        if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // Digits only; a number too long for Double's exact range is simply "very long".
            return min(Double(text) ?? maximum, maximum)
        }
        // An HTTP-date is printable ASCII (Foundation's DateFormatter, which read it before, trapped on some other text).
        guard text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }), let date = HTTPDate.parse(text), date.timeIntervalSince1970.isFinite else {
            return nil
        }
        return min(max(0, date.timeIntervalSince(now)), maximum)
    }
}
