import Engine
import Foundation

/// `retry-after`: `RetryAfter.seconds`, the OAuth client's reading of a 429/503 `Retry-After` header value, and the
/// backoff delay the engine derives from it.
enum RetryAfterHarness {
    static let nows: [Date] = [Date(timeIntervalSince1970: 1_780_000_000), Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 7_258_118_400)]

    static func check(_ bytes: [UInt8]) throws(FuzzViolation) {
        let value = String(decoding: bytes, as: UTF8.self)
        for now in nows {
            for maximum in [RetryAfter.defaultMaximum, 600] {
                guard let seconds = RetryAfter.seconds(value, now: now, maximum: maximum) else { continue }
                try fuzzExpect(seconds.isFinite && seconds >= 0 && seconds <= maximum,
                               "Retry-After \(fuzzPreview(bytes)) gave \(seconds) s (maximum \(maximum))")
                let delay = Backoff().delay(afterFailures: 1, retryAfter: seconds)
                try fuzzExpect(delay.isFinite && delay >= 0 && delay <= max(maximum, Backoff().maximum * 1.2),
                               "backoff delay \(delay) after Retry-After \(fuzzPreview(bytes))")
            }
        }
    }
}
