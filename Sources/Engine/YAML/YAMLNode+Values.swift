/// Typed readings of scalars, with Yams' rules (the ones the fragments were written against): YAML 1.1 booleans in
/// any case, integers with `_`, `0x`/`0b`/`0o`/`0` prefixes and base-60 (`1:30`), floats with `.inf`/`.nan`.
extension YAMLNode {
    /// `true`/`yes`/`on` or `false`/`no`/`off` in any case, unless tagged `!!str` (quoted scalars are).
    public var bool: Bool? {
        guard let scalar, scalar.tag != .str else { return nil }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// A plain scalar read as a whole number.
    public var int: Int? {
        guard let scalar, scalar.style == .any || scalar.style == .plain else { return nil }
        let withSign = String(scalar.string.unicodeScalars.filter { $0 != "_" })
        if withSign == "0" { return 0 }
        let negative = withSign.hasPrefix("-")
        let hasSign = negative || withSign.hasPrefix("+")
        let digits = withSign.dropFirst(hasSign ? 1 : 0)
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] where digits.hasPrefix(prefix) {
            return Int((negative ? "-" : "") + digits.dropFirst(prefix.count), radix: radix)
        }
        if digits.contains(":") { return Self.sexagesimal(withSign, Int.init(_:)) }
        return Int(withSign)
    }

    /// A plain scalar read as a number.
    public var float: Double? {
        guard let scalar, scalar.style == .any || scalar.style == .plain else { return nil }
        switch scalar.string.lowercased() {
        case ".inf", "+.inf": return .infinity
        case "-.inf": return -.infinity
        case ".nan": return .nan
        default:
            let text = String(scalar.string.unicodeScalars.filter { $0 != "_" })
            if text.contains(":") { return Self.sexagesimal(text, Double.init(_:)) }
            return Double(text)
        }
    }

    /// `[-+]a:b:c` in base 60 (nil on overflow, where Yams trapped).
    private static func sexagesimal<T: Numeric>(_ text: String, _ make: (String) -> T?) -> T? {
        var body = Substring(text)
        var sign: T = 1
        if body.hasPrefix("-") { sign = -1; body = body.dropFirst() } else if body.hasPrefix("+") { body = body.dropFirst() }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        let digits = parts.compactMap { make(String($0)) }
        guard digits.count == parts.count else { return nil }
        var base: T = 1, value: T = 0
        for digit in digits.reversed() {
            guard let sum = checked(value, digit, base) else { return nil }
            value = sum
            guard let next = multiplied(base, 60) else { return nil }
            base = next
        }
        return multiplied(sign, value)
    }

    private static func checked<T: Numeric>(_ value: T, _ digit: T, _ base: T) -> T? {
        guard let product = multiplied(digit, base) else { return nil }
        if let a = value as? Int, let b = product as? Int {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? nil : sum as? T
        }
        return value + product
    }

    private static func multiplied<T: Numeric>(_ a: T, _ b: T) -> T? {
        if let x = a as? Int, let y = b as? Int {
            let (product, overflow) = x.multipliedReportingOverflow(by: y)
            return overflow ? nil : product as? T
        }
        return a * b
    }
}
