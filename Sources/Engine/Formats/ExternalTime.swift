import FoundationEssentials

/// The one place where durations and timestamps from outside the process (token answers' `expires_in` and
/// `expires_at`, JWT `exp`/`iat`, `Retry-After`, later Vault TTLs) become values the daemon computes with.
///
/// Numbers are checked against fixed bounds and never converted with a trapping initialiser: a duration is 0 to 10
/// years, a timestamp 1970-01-01 to 2200-01-01. Anything else is an ``ExternalValueError`` naming the field, which the
/// caller turns into a failure of that one credential.
public enum ExternalTime {
    /// Ten years, in seconds: the longest duration accepted from outside.
    public static let maximumDuration: TimeInterval = 10 * 365 * 86_400
    /// 1970-01-01T00:00:00Z.
    public static let earliestTimestamp: TimeInterval = 0
    /// 2200-01-01T00:00:00Z.
    public static let latestTimestamp: TimeInterval = 7_258_118_400

    /// A duration in seconds from a JSON member: a number or a string of digits (some servers quote `expires_in`).
    public static func duration(_ value: JSONValue, field: String) throws(ExternalValueError) -> TimeInterval {
        let seconds = try number(value, field: field)
        guard seconds >= 0, seconds <= maximumDuration else {
            throw ExternalValueError(field: field, value: value, problem: "a duration must be 0 to \(Int(maximumDuration)) seconds (10 years)")
        }
        return seconds
    }

    /// A moment from a JSON member holding seconds since 1970 (NumericDate, RFC 7519 §2).
    public static func timestamp(_ value: JSONValue, field: String) throws(ExternalValueError) -> Date {
        let seconds = try number(value, field: field)
        guard seconds >= earliestTimestamp, seconds <= latestTimestamp else {
            throw ExternalValueError(field: field, value: value, problem: "a time must be between 1970 and 2200 (seconds since 1970)")
        }
        return Date(timeIntervalSince1970: seconds)
    }

    /// A timestamp already parsed elsewhere (e.g. a Date from a header), checked against the same bounds.
    public static func isPlausible(_ date: Date) -> Bool {
        let seconds = date.timeIntervalSince1970
        return seconds.isFinite && seconds >= earliestTimestamp && seconds <= latestTimestamp
    }

    /// `seconds` whole seconds since 1970 as an integer, for printing; never traps (clamped to the timestamp bounds).
    public static func epochSeconds(_ date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite else { return seconds > 0 ? Int64(latestTimestamp) : 0 }
        return Int64(min(max(seconds, earliestTimestamp), latestTimestamp).rounded())
    }

    private static func number(_ value: JSONValue, field: String) throws(ExternalValueError) -> Double {
        switch value {
        case .integer(let integer):
            return Double(integer)
        case .double(let double) where double.isFinite:
            return double
        case .string(let text) where !text.isEmpty && text.count <= 20 && text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }):
            // Digits only: Double("1e999") or Double("nan") would accept what RFC 6749 does not.
            return Double(text) ?? .infinity
        default:
            throw ExternalValueError(field: field, value: value, problem: "expected a number of seconds")
        }
    }
}

/// A number from outside that is not a usable duration or time; says which field and why, never the whole answer.
public struct ExternalValueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The member or header, e.g. `expires_in`.
    public var field: String
    /// The value as received, shortened and made printable.
    public var value: String
    public var problem: String

    public init(field: String, value: JSONValue, problem: String) {
        self.field = field
        self.value = Self.shortText(value)
        self.problem = problem
    }

    public var description: String { "\(field) \(value): \(problem)" }

    private static func shortText(_ value: JSONValue) -> String {
        let text: String
        switch value {
        case .integer(let integer): text = String(integer)
        case .double(let double): text = "\(double)"
        case .string(let string): text = "\"" + string + "\""
        case .bool(let bool): text = String(bool)
        case .null: text = "null"
        case .array: text = "(an array)"
        case .object: text = "(an object)"
        }
        return SafeText.printable(text, limit: 40)
    }
}
