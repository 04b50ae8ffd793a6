import Foundation
import Testing
@testable import Engine

/// `ClassAdExpression`: parsing, the errors it names, ClassAd's undefined/error propagation, and hostile input.
@Suite("ClassAd expressions: parsing, errors, propagation, limits")
struct ClassAdExpressionTests {
    /// The value of `text` for `username`; a parse error fails the test.
    func value(_ text: String, username: String = "alice") -> ClassAdValue? {
        switch parse(text) {
        case .success(let expression): return expression.evaluate(attributes: ["Username": .string(username)])
        case .failure(let error):
            Issue.record("\(text.debugDescription) did not parse: \(error)")
            return nil
        }
    }

    func parse(_ text: String) -> Result<ClassAdExpression, ClassAdExpressionError> {
        Result(catching: { () throws(ClassAdExpressionError) -> ClassAdExpression in try ClassAdExpression(parsing: text) })
    }

    /// The error `text` is refused with; nil (and a failure) if it parses.
    func refusal(_ text: String) -> ClassAdExpressionError? {
        switch parse(text) {
        case .success: Issue.record("\(text.debugDescription) parsed; it should be refused"); return nil
        case .failure(let error): return error
        }
    }

    @Test("realistic AUTHZ_TEMPLATE_EXPR values give the scopes per user")
    func realistic() {
        #expect(value(#"strcat("read:/home/", toLower(Username))"#, username: "Alice") == .string("read:/home/alice"))
        #expect(value(#"Username == "alice" ? "write:/admin" : undefined"#, username: "ALICE") == .string("write:/admin"))
        #expect(value(#"Username == "alice" ? "write:/admin" : undefined"#, username: "bob") == .undefined)
        let cms = #"ifThenElse(regexp("^cms", Username), strcat("read:/cms write:/cms/", Username), undefined)"#
        #expect(value(cms, username: "cms_prod") == .string("read:/cms write:/cms/cms_prod"))
        #expect(value(cms, username: "atlas") == .undefined)
        // `+` on strings is an error in ClassAds, not a concatenation.
        #expect(value(#"ifThenElse(regexp("^cms", Username), "read:/cms write:/cms/" + Username, undefined)"#, username: "cms1") == .error)
    }

    @Test("attributes: case-insensitive names, quoted names, unknown ones undefined")
    func attributes() throws {
        #expect(value("USERNAME") == .string("alice"))
        #expect(value("'Username'") == .string("alice"))
        #expect(value("Foo") == .undefined)
        let expression = try ClassAdExpression(parsing: "strcat(Username, Group)")
        #expect(expression.evaluate(attributes: ["username": .string("a"), "GROUP": .string("g")]) == .string("ag"))
        #expect(expression.evaluate(attributes: [:]) == .undefined)
    }

    @Test("undefined and error propagate as in classad2")
    func propagation() {
        #expect(value(#"strcat("a", undefined)"#) == .undefined)
        #expect(value(#"strcat("a", error)"#) == .error)
        #expect(value(#"strcat(undefined, error)"#) == .undefined)
        #expect(value(#""a" + 1"#) == .error)
        #expect(value("1/0") == .error)
        #expect(value("1 % 0") == .error)
        #expect(value("undefined + error") == .error)
        #expect(value("undefined || true") == .boolean(true))
        #expect(value("undefined || false") == .undefined)
        #expect(value("undefined && false") == .boolean(false))
        #expect(value("false && error") == .boolean(false))
        #expect(value("error && false") == .error)
        #expect(value(#""a" && true"#) == .error)
        #expect(value("undefined == undefined") == .undefined)
        #expect(value("undefined =?= undefined") == .boolean(true))
        #expect(value("error =!= undefined") == .boolean(true))
        #expect(value(#"toLower(undefined)"#) == .undefined)
        #expect(value(#"substr(error, undefined)"#) == .undefined)
        #expect(value(#"regexp(undefined, error)"#) == .error)
        #expect(value("undefined ? 1 : 2") == .undefined)
        #expect(value(#""x" ? 1 : 2"#) == .error)
        #expect(value("false ? 1/0 : 3") == .integer(3))
        #expect(value("ifThenElse(true, 1, error)") == .integer(1))
        #expect(value("ifThenElse(true, 1)") == .error)   // wrong arity is error, as in HTCondor
    }

    @Test("strings: == is case-insensitive, =?= is not; escapes; adjacent literals join")
    func strings() {
        #expect(value(#""ABC" == "abc""#) == .boolean(true))
        #expect(value(#""ABC" =?= "abc""#) == .boolean(false))
        #expect(value(#""ABC" is "ABC""#) == .boolean(true))
        #expect(value(#""a\tb\101\"""#) == .string("a\tbA\""))
        #expect(value(#""\q""#) == .string("q"))
        #expect(value(#""abc" "def""#) == .string("abcdef"))
        #expect(value(#"size("é")"#) == .integer(2))   // bytes, as HTCondor
        #expect(value(#"toUpper("é-a")"#) == .string("é-A"))   // ASCII only
        #expect(value(#"substr("abcdef", -2, -1)"#) == .string("e"))
        #expect(value(#"substr("abcdef", 9223372036854775807, 2)"#) == .string("f"))   // offset cut to 32 bits
    }

    @Test("numbers: integers wrap, INT_MIN / -1 is INT_MAX, +infinity is error, reals print as %1.15E")
    func numbers() {
        #expect(value("9223372036854775807 + 1") == .integer(.min))
        #expect(value("9223372036854775807 * 2") == .integer(-2))
        #expect(value("(-9223372036854775807 - 1) / -1") == .integer(.max))
        #expect(value("(-9223372036854775807 - 1) % -1") == .integer(0))
        #expect(value("-(-9223372036854775807 - 1)") == .integer(.min))
        #expect(value("1e308 * 10") == .error)
        #expect(value("-1.0 / 0") == .real(-.infinity))
        #expect(value("7.0 % 2") == .error)
        #expect(value("true + 1") == .integer(2))
        #expect(value("-true") == .error)
        #expect(value("strcat(1.0 / 3)") == .string("3.333333333333333E-01"))
        #expect(value("string(-0.0)") == .string("-0.0"))
        #expect(value("string(1e400)") == .string(#"real("INF")"#))
    }

    @Test("regexp: options i, m, s, x (lower case only), byte semantics, invalid patterns are error")
    func regexp() {
        #expect(value(#"regexp("^AL", Username, "i")"#) == .boolean(true))
        #expect(value(#"regexp("^AL", Username, "I")"#) == .boolean(false))
        #expect(value(#"regexp("^b", "a\nb", "m")"#) == .boolean(true))
        #expect(value(#"regexp("a.b", "a\nb", "s")"#) == .boolean(true))
        #expect(value(#"regexp("a b", "ab", "x")"#) == .boolean(true))
        #expect(value(#"regexp("a$", "a\n")"#) == .boolean(true))
        #expect(value(#"regexp("^..$", "é")"#) == .boolean(true))
        #expect(value(#"regexp("(", "x")"#) == .error)
        #expect(value(#"regexp("[[:digit:]]+$", "user42")"#) == .boolean(true))
        // A dynamic pattern outside the subset cannot be refused when parsed: it evaluates to error.
        #expect(value(#"regexp(strcat("(?", "i)a"), "A")"#) == .error)
    }

    @Test("constructs outside the subset are refused by name, with the position")
    func refusals() {
        let cases: [(String, String, Int)] = [
            ("length(Username)", "length()", 0),
            (#"strcat("a", {1, 2})"#, "lists", 12),
            ("MY.Username", "MY.Username", 0),
            ("1 & 2", "bitwise operator &", 2),
            (#"foo("x")"#, "foo()", 0),
            (#"regexp("(a)\\1", Username)"#, "back-reference", 0),
            ("undefined ?: 1", "elvis", 11),
            (#"strcat("a" Username)"#, "expected ) after the arguments of strcat()", 11),
        ]
        for (text, named, offset) in cases {
            guard let error = refusal(text) else { continue }
            #expect(error.description.contains(named), "\(text): \(error)")
            #expect(error.offset == offset, "\(text): offset \(error.offset) in \(error)")
            #expect(error.description.contains(ClassAdExpressionError.preview(text)), "\(error) names the expression")
            #expect(!error.fix.isEmpty)
        }
    }

    @Test("hostile input: length and depth caps, no recursion blow-up, bounded evaluation")
    func hostile() throws {
        let long = String(repeating: "1+", count: 40_000) + "1"
        #expect(refusal(long)?.problem.contains("longer than") == true)
        let deepParentheses = String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000)
        #expect(refusal(deepParentheses)?.problem.contains("nests more than") == true)
        let chain = String(repeating: "1+", count: 200) + "1"
        #expect(refusal(chain)?.problem.contains("nests more than") == true)
        #expect(refusal(String(repeating: "!", count: 10_000) + "true")?.problem.contains("nests more than") == true)
        #expect(refusal(String(repeating: "strcat(", count: 101) + "1" + String(repeating: ")", count: 101))?.problem.contains("nests more than") == true)
        // Within the caps (\(ClassAdExpression.maximumDepth) levels) they evaluate.
        #expect(value(String(repeating: "(", count: 99) + "1" + String(repeating: ")", count: 99)) == .integer(1))
        #expect(value(String(repeating: "strcat(", count: 99) + "1" + String(repeating: ")", count: 99)) == .string("1"))
        #expect(value(String(repeating: "1+", count: 98) + "1") == .integer(99))
        // Catastrophic patterns for backtracking engines finish (Pike VM).
        let start = Date()
        #expect(value(#"regexp("(x+x+)+y", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")"#) == .boolean(false))
        #expect(value(#"regexp("^(a|a)*$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab")"#) == .boolean(false))
        // Long text built level by level stays within the budget.
        var nested = "Username"
        for _ in 0..<20 { nested = #"strcat(\#(nested), "\#(String(repeating: "x", count: 1000))")"# }
        #expect(value(nested)?.isExceptional == false)
        // Many expensive regexp() calls run into the evaluation budget: error, not unbounded work.
        let target = String(repeating: "ab", count: 500)
        let call = #"regexp("(a|b){0,200}z", "\#(target)")"#
        let wide = "strcat(" + Array(repeating: call, count: 30).joined(separator: ",") + ")"
        #expect(value(wide) == .error, "the work budget ends a wide expression of regexp() calls")
        #expect(Date().timeIntervalSince(start) < 30)
    }

    @Test("evaluation is deterministic and the parsed form compares equal")
    func deterministic() throws {
        let a = try ClassAdExpression(parsing: #"strcat("read:/", Username)"#)
        let b = try ClassAdExpression(parsing: #"strcat("read:/", Username)"#)
        #expect(a == b)
        let values = ["alice", "bob"].map { a.evaluate(attributes: ["Username": .string($0)]) }
        #expect(values == [.string("read:/alice"), .string("read:/bob")])
        #expect(a.evaluate(attributes: ["Username": .string("alice")]) == values[0])
    }
}
