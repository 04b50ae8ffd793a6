/// An HTCondor ClassAd expression (the subset `LOCAL_CREDMON_AUTHZ_TEMPLATE_EXPR` needs), parsed once and
/// evaluated per user with new-ClassAd semantics as HTCondor's own library (classad2) has them.
///
/// The subset: literals (strings with ClassAd escapes, integers, reals, `true`, `false`, `undefined`, `error`),
/// attribute references (case-insensitive, also `'quoted'`), parentheses, unary `- + !`, `+ - * / %`,
/// `< <= > >= == !=` (strings compared case-insensitively), `=?= =!= is isnt`, `&& ||`, `c ? a : b`, and the
/// functions `strcat`, `ifThenElse`, `regexp`, `toLower`, `toUpper`, `substr`, `size`, `isUndefined`, `isError`,
/// `isString`, `string`. Anything else (lists, nested ads, selection such as `MY.x`, other functions, bitwise
/// operators, comments) is a `ClassAdExpressionError` naming it.
public struct ClassAdExpression: Sendable, Equatable {
    /// Longest expression read (bytes).
    public static let maximumLength = 65_536
    /// Deepest nesting of operators, calls and parentheses (realistic expressions nest a few levels; the parser
    /// and evaluator recurse per level, and an unoptimised build's parser takes ~12 KiB of stack per level).
    public static let maximumDepth = 100
    /// Work units one evaluation may spend: a node, eight bytes of text built, a regular-expression step or
    /// instruction each (a realistic expression needs a few thousand).
    public static let evaluationBudget = 50_000

    /// The expression as written.
    public let text: String
    let root: ClassAdNode

    /// Parses `text`; throws if it is not a ClassAd expression or uses a construct outside the subset.
    public init(parsing text: String) throws(ClassAdExpressionError) {
        let length = text.utf8.count
        guard length <= Self.maximumLength else {
            throw ClassAdExpressionError(expression: text, offset: Self.maximumLength, construct: "\(length) bytes",
                                         problem: "the expression is longer than \(Self.maximumLength) bytes",
                                         fix: "shorten it")
        }
        var lexer = ClassAdLexer(text)
        var parser = ClassAdParser(source: text, tokens: try lexer.tokens())
        self.root = try parser.parse()
        self.text = text
    }

    /// The value of the expression where the attributes (names compared case-insensitively) have these values;
    /// an attribute not given is `undefined`. Never traps; work is bounded (`evaluationBudget`, beyond which the
    /// value is `error`).
    public func evaluate(attributes: [String: ClassAdValue]) -> ClassAdValue {
        var byName: [String: ClassAdValue] = [:]
        // Names equal but for case: the first in code-point order wins, the same on every run.
        for name in attributes.keys.sorted(by: >) {
            if let value = attributes[name] { byName[name.lowercased()] = value }
        }
        var evaluator = ClassAdEvaluator(attributes: byName, fuel: Self.evaluationBudget)
        let value = evaluator.evaluate(root)
        return evaluator.exhausted ? .error : value
    }
}
