/// ClassAd's operators on values, as HTCondor's `Operation::_doOperation`: strict operators give `error` if an
/// operand is `error`, else `undefined` if one is `undefined`; `true`/`false` count as 1/0 in arithmetic and
/// comparisons; integers wrap; a real result of +infinity is `error` (−infinity and NaN are values).
enum ClassAdOperators {
    static func unary(_ op: ClassAdUnaryOperator, _ value: ClassAdValue) -> ClassAdValue {
        switch op {
        case .plus:
            switch value {
            case .boolean, .string: return .error
            default: return value
            }
        case .minus:
            switch value {
            case .undefined, .error: return value
            case .integer(let number): return .integer(0 &- number)
            case .real(let number): return .real(-number)
            default: return .error
            }
        case .not:
            switch value {
            case .undefined, .error: return value
            default:
                guard let truth = value.booleanEquivalent else { return .error }
                return .boolean(!truth)
            }
        }
    }

    /// A strict binary operator (arithmetic or comparison other than `=?=`/`=!=`).
    static func strict(_ op: ClassAdBinaryOperator, _ left: ClassAdValue, _ right: ClassAdValue) -> ClassAdValue {
        if left == .error || right == .error { return .error }
        if left == .undefined || right == .undefined { return .undefined }
        switch op {
        case .add, .subtract, .multiply, .divide, .modulo: return arithmetic(op, left, right)
        case .metaEqual, .metaNotEqual: return meta(op, left, right)
        case .and, .or: return .error   // not strict: handled by the evaluator
        default: return compare(op, left, right)
        }
    }

    enum Number { case integer(Int64), real(Double) }

    /// Integers, reals and booleans (as 0/1) as numbers; nil for strings and exceptional values.
    static func number(_ value: ClassAdValue) -> Number? {
        switch value {
        case .integer(let number): .integer(number)
        case .real(let number): .real(number)
        case .boolean(let truth): .integer(truth ? 1 : 0)
        default: nil
        }
    }

    static func real(_ number: Number) -> Double {
        switch number {
        case .integer(let value): Double(value)
        case .real(let value): value
        }
    }

    static func arithmetic(_ op: ClassAdBinaryOperator, _ left: ClassAdValue, _ right: ClassAdValue) -> ClassAdValue {
        guard let a = number(left), let b = number(right) else { return .error }
        if case .integer(let x) = a, case .integer(let y) = b {
            switch op {
            case .add: return .integer(x &+ y)
            case .subtract: return .integer(x &- y)
            case .multiply: return .integer(x &* y)
            case .divide:
                if x == .min && y == -1 { return .integer(.max) }   // HTCondor's answer, not a trap
                return y == 0 ? .error : .integer(x / y)
            case .modulo:
                if x == .min && y == -1 { return .integer(0) }
                return y == 0 ? .error : .integer(x % y)
            default: return .error
            }
        }
        let x = real(a), y = real(b)
        let result: Double
        switch op {
        case .add: result = x + y
        case .subtract: result = x - y
        case .multiply: result = x * y
        case .divide: result = x / y
        default: return .error   // % on reals
        }
        return result == .infinity ? .error : .real(result)
    }

    static func compare(_ op: ClassAdBinaryOperator, _ left: ClassAdValue, _ right: ClassAdValue) -> ClassAdValue {
        if case .string(let x) = left {
            guard case .string(let y) = right else { return .error }
            return .boolean(holds(op, order: caseInsensitiveOrder(x, y)))
        }
        if case .string = right { return .error }
        guard let a = number(left), let b = number(right) else { return .error }
        if case .integer(let x) = a, case .integer(let y) = b {
            return .boolean(holds(op, order: x < y ? -1 : x == y ? 0 : 1))
        }
        let x = real(a), y = real(b)
        switch op {
        case .less: return .boolean(x < y)
        case .lessOrEqual: return .boolean(x <= y)
        case .greater: return .boolean(x > y)
        case .greaterOrEqual: return .boolean(x >= y)
        case .equal: return .boolean(x == y)
        case .notEqual: return .boolean(x != y)
        default: return .error
        }
    }

    static func holds(_ op: ClassAdBinaryOperator, order: Int) -> Bool {
        switch op {
        case .less: order < 0
        case .lessOrEqual: order <= 0
        case .greater: order > 0
        case .greaterOrEqual: order >= 0
        case .equal, .metaEqual: order == 0
        default: order != 0
        }
    }

    /// `strcasecmp`: bytes compared with ASCII letters folded to lower case.
    static func caseInsensitiveOrder(_ x: String, _ y: String) -> Int {
        var a = x.utf8.makeIterator(), b = y.utf8.makeIterator()
        while true {
            let p = a.next().map(ClassAdText.lower), q = b.next().map(ClassAdText.lower)
            switch (p, q) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case let (p?, q?): if p != q { return p < q ? -1 : 1 }
            }
        }
    }

    /// `=?=` and `=!=`: same type and same value (strings case-sensitively); never undefined.
    static func meta(_ op: ClassAdBinaryOperator, _ left: ClassAdValue, _ right: ClassAdValue) -> ClassAdValue {
        let same: Bool
        switch (left, right) {
        case (.undefined, .undefined), (.error, .error): same = true
        case let (.boolean(x), .boolean(y)): same = x == y
        case let (.integer(x), .integer(y)): same = x == y
        case let (.real(x), .real(y)): same = x == y
        case let (.string(x), .string(y)): same = Array(x.utf8) == Array(y.utf8)
        default: same = false
        }
        return .boolean(op == .metaEqual ? same : !same)
    }

    /// `&&` and `||` once both sides are known (the evaluator short-circuits before), as HTCondor's `doLogical`.
    static func logical(_ op: ClassAdBinaryOperator, _ left: ClassAdValue, _ right: ClassAdValue) -> ClassAdValue {
        func coerced(_ value: ClassAdValue) -> ClassAdValue? {
            switch value {
            case .undefined, .error: value
            default: value.booleanEquivalent.map(ClassAdValue.boolean)
            }
        }
        guard let a = coerced(left), let b = coerced(right) else { return .error }
        let isOr = op == .or
        switch a {
        case .error: return .error
        case .boolean(let x): return x == isOr ? .boolean(x) : b
        default:   // undefined
            guard case .boolean(let y) = b else { return b }
            return y == isOr ? .boolean(y) : .undefined
        }
    }
}

/// Byte-wise text helpers with HTCondor's (C locale) meaning.
enum ClassAdText {
    static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte }
    static func upper(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 32 : byte }

    /// Text from bytes that may have been cut inside a UTF-8 character (by `substr`): invalid sequences become U+FFFD.
    static func string(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}
