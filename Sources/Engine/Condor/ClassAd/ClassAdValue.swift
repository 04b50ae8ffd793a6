import FoundationEssentials

/// A value of HTCondor's ClassAd language, as far as `ClassAdExpression` evaluates (no lists, nested ads or times).
public enum ClassAdValue: Sendable, Equatable {
    case undefined
    case error
    case boolean(Bool)
    case integer(Int64)
    case real(Double)
    case string(String)

    /// The string, when the value is one (key-file attributes are read as literal values of this type too).
    public var stringValue: String? { if case .string(let text) = self { text } else { nil } }

    /// Whether the value is `undefined` or `error` (ClassAd's "exceptional" values).
    public var isExceptional: Bool {
        switch self {
        case .undefined, .error: true
        default: false
        }
    }

    /// ClassAd's boolean equivalence (`IsBooleanValueEquiv`): booleans, and numbers compared with zero.
    var booleanEquivalent: Bool? {
        switch self {
        case .boolean(let value): value
        case .integer(let value): value != 0
        case .real(let value): value != 0
        default: nil
        }
    }

    /// The text HTCondor's `string()` and `strcat()` give a non-exceptional value (reals as `%1.15E`, zero as
    /// `0.0`/`-0.0`, non-finite reals as `real("INF")`...); nil for `undefined` and `error`.
    var convertedToString: String? {
        switch self {
        case .undefined, .error: nil
        case .boolean(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .real(let value): Self.format(real: value)
        case .string(let value): value
        }
    }

    /// HTCondor's unparsed form of a real (new-ClassAd syntax).
    static func format(real value: Double) -> String {
        if value.isNaN { return "real(\"NaN\")" }
        if value.isInfinite { return value < 0 ? "real(\"-INF\")" : "real(\"INF\")" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        return CFormat.double("%1.15E", value)
    }
}
