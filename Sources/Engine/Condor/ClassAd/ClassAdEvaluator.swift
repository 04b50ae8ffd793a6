/// Evaluates a parsed expression against attribute values, within a work budget: every node, every eight bytes of
/// text built and every regular-expression step costs one unit; when the budget runs out the result is `error`.
/// Recursion is bounded by the parser's depth cap.
struct ClassAdEvaluator {
    /// Attribute values by lower-cased name.
    let attributes: [String: ClassAdValue]
    var fuel: Int
    private(set) var exhausted = false

    init(attributes: [String: ClassAdValue], fuel: Int) {
        self.attributes = attributes
        self.fuel = fuel
    }

    /// Takes `units` from the budget; false (and `exhausted`) when there is not enough.
    mutating func spend(_ units: Int) -> Bool {
        guard !exhausted, units <= fuel else {
            exhausted = true
            fuel = 0
            return false
        }
        fuel -= units
        return true
    }

    mutating func evaluate(_ node: ClassAdNode) -> ClassAdValue {
        guard spend(1) else { return .error }
        switch node {
        case .literal(let value):
            if case .string(let text) = value, !spend(text.utf8.count / 16) { return .error }
            return value
        case .attribute(let name):
            return attributes[name] ?? .undefined
        case .unary(let op, let operand):
            return ClassAdOperators.unary(op, evaluate(operand))
        case .binary(let op, let left, let right):
            let a = evaluate(left)
            if op == .and || op == .or {
                // Short circuit: `false && x` is false and `true || x` is true whatever x is.
                if let truth = a.booleanEquivalent, truth == (op == .or) { return .boolean(truth) }
                return ClassAdOperators.logical(op, a, evaluate(right))
            }
            let b = evaluate(right)
            if op == .metaEqual || op == .metaNotEqual { return ClassAdOperators.meta(op, a, b) }
            if case .string(let text) = a, !spend(text.utf8.count / 16) { return .error }
            return ClassAdOperators.strict(op, a, b)
        case .ternary(let condition, let then, let otherwise):
            let selector = evaluate(condition)
            if selector == .undefined { return .undefined }
            guard let truth = selector.booleanEquivalent else { return .error }
            return evaluate(truth ? then : otherwise)
        case .call(let function, let arguments):
            return call(function, arguments)
        }
    }
}
