/// The parsed form of a `ClassAdExpression`.
indirect enum ClassAdNode: Sendable, Equatable {
    case literal(ClassAdValue)
    /// An attribute reference, by lower-cased name (ClassAd names are case-insensitive).
    case attribute(String)
    case unary(ClassAdUnaryOperator, ClassAdNode)
    case binary(ClassAdBinaryOperator, ClassAdNode, ClassAdNode)
    case ternary(ClassAdNode, ClassAdNode, ClassAdNode)
    case call(ClassAdFunction, [ClassAdNode])
}

enum ClassAdUnaryOperator: String, Sendable, Equatable {
    case minus = "-", plus = "+", not = "!"
}

enum ClassAdBinaryOperator: String, Sendable, Equatable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case equal = "==", notEqual = "!=", metaEqual = "=?=", metaNotEqual = "=!="
    case and = "&&", or = "||"
}

/// The built-in functions of the subset (names are case-insensitive in ClassAds).
enum ClassAdFunction: String, Sendable, Equatable, CaseIterable {
    case strcat, ifThenElse, regexp, toLower, toUpper, substr, size, isUndefined, isError, isString, string

    /// The function called `name` in any case.
    static func named(_ name: String) -> ClassAdFunction? {
        let lowered = name.lowercased()
        return allCases.first { $0.rawValue.lowercased() == lowered }
    }
}
