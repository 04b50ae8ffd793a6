import Engine
import Logging
import Synchronization

/// HTCondor's `AUTHZ_TEMPLATE_EXPR` (fragment key `scopes_expression`): a ClassAd expression evaluated per user in
/// the ad `[Username = "<user>"; Scopes = <expr>]`; a string result is appended to the token's scopes, anything else
/// is logged (once per user) and skipped for that user, as HTCondor's local credmon does (contract §C.2.3).
///
/// Results are cached per user: evaluation is pure, in-process and bounded by the evaluator's limits, so a pass never
/// waits on it; the cache only spares repeating the work (and the log line) for every token of every pass.
final class ScopeExpression: Sendable {
    let text: String
    private let expression: ClassAdExpression
    private let logger: Logger
    private let cache = Mutex<[String: [String]]>([:])
    /// Users cached at most; past it the cache starts again (it is a convenience, not state).
    static let cacheLimit = 100_000

    /// Parses `text`; throws the evaluator's error (it names the construct outside the supported subset).
    init(_ text: String, logger: Logger) throws(ClassAdExpressionError) {
        self.text = text
        self.expression = try ClassAdExpression(parsing: text)
        self.logger = logger
    }

    /// The scopes the expression adds for `user`: the string result split on blanks, or none.
    func scopes(for user: String) -> [String] {
        if let cached = cache.withLock({ $0[user] }) { return cached }
        let scopes: [String]
        switch expression.evaluate(attributes: ["Username": .string(user)]) {
        case .string(let text):
            scopes = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        case let other:
            scopes = []
            logger.warning("AUTHZ_TEMPLATE_EXPR did not give a string for this user; no scopes added from it", metadata: [
                "credmon.user": "\(user)", "credmon.result": "\(other)",
            ])
        }
        cache.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[user] = scopes
        }
        return scopes
    }
}
