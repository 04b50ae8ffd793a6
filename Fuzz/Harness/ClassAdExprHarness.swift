import Engine
import Foundation

/// `classad-expr`: `ClassAdExpression(parsing:)` on an admin's `LOCAL_CREDMON_AUTHZ_TEMPLATE_EXPR`, then
/// `evaluate(attributes:)` for a few usernames. A refusal is printable, bounded and points inside the text;
/// evaluation is deterministic (twice the same value, whatever the case of the attribute's name) and parsing twice
/// gives equal expressions.
enum ClassAdExprHarness {
    /// Two users (a plain name, and one with a quote, a backslash and non-ASCII): each evaluation may take the whole
    /// work budget, and the harness must stay well inside libFuzzer's time limit on a loaded machine.
    static let usernames = ["CMS_Prod-01", "jöse\"x\\"]

    static func check(_ bytes: [UInt8]) throws(FuzzViolation) {
        let text = String(decoding: bytes, as: UTF8.self)
        let expression: ClassAdExpression
        do {
            expression = try ClassAdExpression(parsing: text)
        } catch {
            try fuzzExpect(Printable.isPrintable(error.description), "an unprintable error \(fuzzPreview(error.description))")
            // Each part is cut (expression 120, construct 40, problem and fix 300 characters): under 1,000 in all.
            try fuzzExpect(error.description.unicodeScalars.count <= 1_000, "an error of \(error.description.unicodeScalars.count) characters")
            try fuzzExpect(error.offset >= 0 && error.offset <= max(text.utf8.count, ClassAdExpression.maximumLength),
                           "offset \(error.offset) outside the \(text.utf8.count)-byte expression")
            try fuzzExpect(!error.construct.isEmpty && !error.problem.isEmpty && !error.fix.isEmpty, "an error without its parts: \(error)")
            return
        }
        let again: ClassAdExpression
        do { again = try ClassAdExpression(parsing: text) } catch {
            throw FuzzViolation("parsed once, refused the second time: \(error)")
        }
        try fuzzExpect(again == expression, "two parses of \(fuzzPreview(bytes)) differ")
        for username in usernames {
            let first = expression.evaluate(attributes: ["Username": .string(username)])
            let second = expression.evaluate(attributes: ["USERNAME": .string(username)])
            try fuzzExpect(same(first, second), "\(fuzzPreview(bytes)) for \(username.debugDescription): \(first) then \(second)")
        }
    }

    /// Equal values, a NaN equal to a NaN.
    static func same(_ a: ClassAdValue, _ b: ClassAdValue) -> Bool {
        if case .real(let x) = a, case .real(let y) = b { return x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
        return a == b
    }
}
