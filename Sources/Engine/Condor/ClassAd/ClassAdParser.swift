/// A recursive-descent parser of the ClassAd subset, with HTCondor's operator precedence (lowest first):
/// `?:`, `||`, `&&`, `== != =?= =!= is isnt`, `< <= > >=`, `+ -`, `* / %`, unary `- + !`.
/// Nesting is capped (`ClassAdExpression.maximumDepth`) so that parsing and evaluation stay shallow.
struct ClassAdParser {
    let source: String
    let tokens: [ClassAdToken]
    var index = 0
    var depth = 0

    init(source: String, tokens: [ClassAdToken]) {
        self.source = source
        self.tokens = tokens
    }

    var current: ClassAdToken { tokens[min(index, tokens.count - 1)] }

    @inline(never)
    func error(_ token: ClassAdToken, _ problem: String, _ fix: String) -> ClassAdExpressionError {
        ClassAdExpressionError(expression: source, offset: token.offset, construct: token.text, problem: problem, fix: fix)
    }

    /// A node and its height (the number of nodes on its longest path down), which bounds evaluation's recursion.
    struct Parsed {
        var node: ClassAdNode
        var height: Int
        static func leaf(_ node: ClassAdNode) -> Parsed { Parsed(node: node, height: 1) }
    }

    mutating func parse() throws(ClassAdExpressionError) -> ClassAdNode {
        if current.kind == .end {
            throw error(current, "the expression is empty", "write an expression, e.g. strcat(\"read:/home/\", Username)")
        }
        let parsed = try ternary()
        if current.kind != .end { throw unexpected(current, after: "a complete expression") }
        return parsed.node
    }

    /// The error for a token where it cannot stand: constructs outside the subset are named.
    @inline(never)
    func unexpected(_ token: ClassAdToken, after: String) -> ClassAdExpressionError {
        switch token.kind {
        case .unsupported(let symbol):
            switch symbol {
            case "{", "}": return error(token, "lists ({ … }) are not supported", "build the scopes as one string with strcat()")
            case "[", "]": return error(token, "nested ClassAds and subscripts ([ … ]) are not supported", "use attribute names and functions only")
            case ".": return error(token, "attribute selection (a.b) is not supported", "refer to the attribute by name, e.g. Username")
            case "=": return error(token, "assignment (=) is not an operator of expressions", "compare with == (or =?= for a case-sensitive test)")
            case ";": return error(token, "';' separates ClassAd attributes, not expressions", "write a single expression")
            default: return error(token, "the bitwise operator \(symbol) is not supported", "use the logical operators && and || or functions")
            }
        case .end: return error(token, "the expression ends early, after \(after)", "complete it")
        default: return error(token, "unexpected \(short(token)) after \(after)", "check for a missing operator, comma or parenthesis")
        }
    }

    mutating func advance() -> ClassAdToken {
        let token = current
        index = min(index + 1, tokens.count - 1)
        return token
    }

    func isSymbol(_ symbol: String) -> Bool { current.kind == .symbol(symbol) }

    mutating func expect(_ symbol: String, after: String) throws(ClassAdExpressionError) {
        guard isSymbol(symbol) else {
            if current.kind == .end || { if case .unsupported = current.kind { true } else { false } }() {
                throw unexpected(current, after: after)
            }
            throw error(current, "expected \(symbol) after \(after), found \(short(current))", "add the missing \(symbol)")
        }
        _ = advance()
    }

    /// Counts one level of nesting; refuses more than `ClassAdExpression.maximumDepth`.
    mutating func enter(_ token: ClassAdToken) throws(ClassAdExpressionError) {
        depth += 1
        if depth > ClassAdExpression.maximumDepth {
            throw error(token, "the expression nests more than \(ClassAdExpression.maximumDepth) levels deep",
                        "simplify it (split long chains with parentheses or use fewer nested calls)")
        }
    }

    /// A node over `children`, its height checked (left-leaning chains like `a + b + c + …` are parsed in a loop
    /// but evaluated recursively).
    func checked(_ node: ClassAdNode, _ children: [Parsed], at token: ClassAdToken) throws(ClassAdExpressionError) -> Parsed {
        let height = 1 + (children.map(\.height).max() ?? 0)
        if height > ClassAdExpression.maximumDepth {
            throw error(token, "the expression nests more than \(ClassAdExpression.maximumDepth) levels deep",
                        "simplify it (fewer operators in one chain, or fewer nested calls)")
        }
        return Parsed(node: node, height: height)
    }

    mutating func ternary() throws(ClassAdExpressionError) -> Parsed {
        let condition = try binary(minimum: 1)
        guard isSymbol("?") else { return condition }
        let question = advance()
        if isSymbol(":") { throw refusal(.elvis, current) }
        try enter(question)
        defer { depth -= 1 }
        let then = try ternary()
        try expect(":", after: "the ? branch of a conditional")
        let otherwise = try ternary()
        return try checked(.ternary(condition.node, then.node, otherwise.node), [condition, then, otherwise], at: question)
    }

    /// Binding strength of the binary operators (higher binds tighter); all are left-associative.
    static let precedence: [String: (ClassAdBinaryOperator, Int)] = [
        "||": (.or, 1), "&&": (.and, 2),
        "==": (.equal, 3), "!=": (.notEqual, 3), "=?=": (.metaEqual, 3), "=!=": (.metaNotEqual, 3),
        "<": (.less, 4), "<=": (.lessOrEqual, 4), ">": (.greater, 4), ">=": (.greaterOrEqual, 4),
        "+": (.add, 5), "-": (.subtract, 5),
        "*": (.multiply, 6), "/": (.divide, 6), "%": (.modulo, 6),
    ]

    /// The binary operator at the current token (`is`/`isnt` are `=?=`/`=!=`).
    func binaryOperator() -> (ClassAdBinaryOperator, Int)? {
        switch current.kind {
        case .symbol(let symbol): return Self.precedence[symbol]
        case .name(let name):
            switch name.lowercased() {
            case "is": return (.metaEqual, 3)
            case "isnt": return (.metaNotEqual, 3)
            default: return nil
            }
        default: return nil
        }
    }

    /// Operators binding at least as tight as `minimum` (precedence climbing: one frame per level of
    /// parentheses rather than one per precedence level, to keep the stack shallow).
    mutating func binary(minimum: Int) throws(ClassAdExpressionError) -> Parsed {
        var left = try unary()
        while let (op, strength) = binaryOperator(), strength >= minimum {
            let token = advance()
            let right = try binary(minimum: strength + 1)
            left = try checked(.binary(op, left.node, right.node), [left, right], at: token)
        }
        return left
    }

    mutating func unary() throws(ClassAdExpressionError) -> Parsed {
        let token = current
        let op: ClassAdUnaryOperator? = switch token.kind {
        case .symbol("-"): .minus
        case .symbol("+"): .plus
        case .symbol("!"): .not
        default: nil
        }
        guard let op else { return try postfix() }
        _ = advance()
        try enter(token)
        defer { depth -= 1 }
        let operand = try unary()
        return try checked(.unary(op, operand.node), [operand], at: token)
    }

    mutating func postfix() throws(ClassAdExpressionError) -> Parsed {
        let node = try primary()
        if case .unsupported(let symbol) = current.kind, symbol == "[" || symbol == "." {
            throw unexpected(current, after: "")
        }
        return node
    }

    mutating func primary() throws(ClassAdExpressionError) -> Parsed {
        let token = advance()
        switch token.kind {
        case .integer(let value): return .leaf(.literal(.integer(value)))
        case .real(let value): return .leaf(.literal(.real(value)))
        case .string(var value):
            // Adjacent string literals are one string, as in HTCondor ("a" "b" is "ab").
            while case .string(let more) = current.kind {
                value += more
                _ = advance()
            }
            return .leaf(.literal(.string(value)))
        case .quotedName(let name): return .leaf(try attribute(name, token: token))
        case .name(let name):
            switch name.lowercased() {
            case "true": return .leaf(.literal(.boolean(true)))
            case "false": return .leaf(.literal(.boolean(false)))
            case "undefined": return .leaf(.literal(.undefined))
            case "error": return .leaf(.literal(.error))
            case "is", "isnt": throw refusal(.missingLeftOperand, token)
            default: break
            }
            if isSymbol("(") { return try call(name, token: token) }
            return .leaf(try attribute(name, token: token))
        case .symbol("("):
            try enter(token)
            defer { depth -= 1 }
            let inner = try ternary()
            try expect(")", after: "a parenthesised expression")
            return inner
        case .symbol: throw refusal(.operandExpected, token)
        default: throw unexpected(token, after: index <= 1 ? "the start" : "an operator")
        }
    }

    func attribute(_ name: String, token: ClassAdToken) throws(ClassAdExpressionError) -> ClassAdNode {
        if case .unsupported(".") = current.kind {
            let next = tokens[min(index + 1, tokens.count - 1)]
            let scope = name.lowercased()
            if scope == "my" || scope == "target" {
                throw error(token, "\(ClassAdExpressionError.printable(name, limit: 40)).\(short(next)): MY. and TARGET. are not reliable where HTCondor evaluates this knob (classad2 gives undefined, or the attribute once its process has handled a nested ad)",
                            "write the attribute name alone, e.g. Username")
            }
            throw error(token, "\(ClassAdExpressionError.printable(name, limit: 40)).\(short(next)): attribute selection is not supported", "refer to the attribute by name, e.g. Username")
        }
        return .attribute(name.lowercased())
    }

    mutating func call(_ name: String, token: ClassAdToken) throws(ClassAdExpressionError) -> Parsed {
        guard let function = ClassAdFunction.named(name) else { throw refusal(.unknownFunction, token) }
        try enter(token)
        defer { depth -= 1 }
        _ = advance()   // (
        var arguments: [Parsed] = []
        if !isSymbol(")") {
            while true {
                arguments.append(try ternary())
                if isSymbol(",") { _ = advance(); continue }
                break
            }
        }
        if !isSymbol(")") { throw refusal(.argumentsUnclosed, token) }
        _ = advance()
        if function == .regexp { try checkPattern(arguments.map(\.node), token: token) }
        return try checked(.call(function, arguments.map(\.node)), arguments, at: token)
    }

    /// A literal `regexp()` pattern (with literal options) that uses PCRE syntax outside `ClassAdRegex`'s subset is
    /// refused here rather than evaluated to `error` for every user. (A pattern PCRE itself refuses is left to
    /// evaluate to `error`, as in HTCondor.)
    func checkPattern(_ arguments: [ClassAdNode], token: ClassAdToken) throws(ClassAdExpressionError) {
        guard arguments.count == 2 || arguments.count == 3, case .literal(.string(let pattern)) = arguments[0] else { return }
        var options = ClassAdRegexOptions("")
        if arguments.count == 3 {
            guard case .literal(.string(let text)) = arguments[2] else { return }
            options = ClassAdRegexOptions(text)
        }
        do {
            _ = try ClassAdRegex(pattern: pattern, options: options)
        } catch {
            if case .unsupported(let feature) = error {
                throw self.error(token, "regexp() pattern \"\(ClassAdExpressionError.preview(pattern, limit: 60))\" uses \(feature), which this evaluator does not support",
                                 "rewrite the pattern with classes, groups, alternation and counts (see ClassAdRegexSyntax.swift)")
            }
        }
    }

    enum Refusal { case elvis, missingLeftOperand, operandExpected, unknownFunction, argumentsUnclosed }

    /// The error for `refusal` at `token`: built apart from the recursive functions, whose stack frames stay small
    /// (unoptimised builds give every string temporary its own slot).
    @inline(never)
    func refusal(_ refusal: Refusal, _ token: ClassAdToken) -> ClassAdExpressionError {
        switch refusal {
        case .elvis:
            return error(token, "the ?: (elvis) operator is not supported", "write ifThenElse(isUndefined(a), b, a)")
        case .missingLeftOperand:
            return error(token, "\(short(token)) needs a left operand", "write a =?= b or a =!= b")
        case .operandExpected:
            return error(token, "unexpected \(short(token)) where an operand is expected", "put a value, attribute or function call there")
        case .unknownFunction:
            let supported = ClassAdFunction.allCases.map { $0.rawValue + "()" }.joined(separator: ", ")
            let hint = token.text.lowercased() == "length" ? "HTCondor has no length() (it evaluates to error); use size(); " : ""
            return error(token, "the function \(short(token))() is not supported", "\(hint)the supported functions are \(supported)")
        case .argumentsUnclosed:
            if current.kind == .end { return unexpected(current, after: "an operator") }
            if case .unsupported = current.kind { return unexpected(current, after: "an argument") }
            return error(current, "expected ) after the arguments of \(short(token))(), found \(short(current))", "add the missing ) or ,")
        }
    }

    /// A token as quoted in a message: at most 40 characters (a string literal can be long).
    func short(_ token: ClassAdToken) -> String { ClassAdExpressionError.printable(token.text, limit: 40) }
}
