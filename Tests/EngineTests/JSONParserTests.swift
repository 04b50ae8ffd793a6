import Foundation
import Testing
@testable import Engine

@Suite("The JSON parser")
struct JSONParserTests {
    private func parse(_ text: String) -> JSONValue? { JSONParser.parse(Array(text.utf8)) }

    @Test("Documents of every shape agree with Foundation's JSONSerialization")
    func agreesWithFoundation() throws {
        let documents = [
            #"{"access_token": "eyJ.a.b", "token_type": "Bearer", "expires_in": 3600, "expires_at": 1795437812.5, "scope": "read:/a write:/b"}"#,
            #"{"refresh_token":"r\/s\\t\"u","scopes":"read:\/data, write:\/data","audience":"","n":null,"ok":true,"no":false}"#,
            #"{"nested": {"list": [1, -2, 3.25, -0.5e-3, 1E6, "x", [], {}], "empty": {}}, "unicode": "caf\u00e9 \ud83d\ude00 \u2713"}"#,
            #"  {"big": 9223372036854775807, "bigger": 9223372036854775808, "negative": -9223372036854775808}  "#,
            #"{"control": "tab\there\nnew line\r\u0000\u001f", "dup": 1, "dip": 2}"#,
            "{\"raw utf8\": \"ünïcödé ✓ 😀\"}",
            "[1, 2, 3]", "\"text\"", "42", "-0", "null", "true",
        ]
        for document in documents {
            let ours = try #require(parse(document), "refused: \(document)")
            let foundation = try JSONSerialization.jsonObject(with: Data(document.utf8), options: .fragmentsAllowed)
            #expect(Self.same(ours, foundation), "\(document)\nours: \(ours)\nfoundation: \(foundation)")
        }
    }

    @Test("Integers stay integers; fractions, exponents and numbers beyond Int64 are doubles")
    func numbers() {
        #expect(parse("3600") == .integer(3600))
        #expect(parse("-12") == .integer(-12))
        #expect(parse("1.0") == .double(1))
        #expect(parse("2e3") == .double(2000))
        #expect(parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
    }

    @Test("Malformed documents are refused", arguments: [
        "", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "{a:1}", "{'a':1}", "{\"a\":1}}",
        "{\"a\":1} x", "01", "1.", ".5", "-", "+1", "1e", "1e+", "tru", "nul", "falsey", "\"unterminated",
        "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud83d alone\"", "\"\\ud83d\\u0041\"", "\"raw\ncontrol\"", "NaN", "Infinity",
        "{\"a\":1 \"b\":2}",
    ])
    func refusesMalformed(_ text: String) {
        #expect(parse(text) == nil, "accepted: \(text.debugDescription)")
    }

    @Test("Invalid UTF-8 in a string is refused; nesting deeper than the limit is refused")
    func limits() {
        #expect(JSONParser.parse(Array("{\"a\": \"".utf8) + [0xFF, 0xFE] + Array("\"}".utf8)) == nil)
        #expect(JSONParser.parse(Array("{\"a\": \"\\n".utf8) + [0xC3] + Array("\"}".utf8)) == nil, "invalid UTF-8 after an escape")
        let deep = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(parse(deep) != nil)
        let tooDeep = String(repeating: "[", count: JSONParser.maximumDepth + 1) + String(repeating: "]", count: JSONParser.maximumDepth + 1)
        #expect(parse(tooDeep) == nil)
        #expect(parse(String(repeating: "[", count: 100_000)) == nil, "no stack overflow")
    }

    @Test("parseObject takes objects only")
    func objectsOnly() {
        #expect(JSONValue.parseObject(Array(#"{"a": [1]}"#.utf8)) == ["a": .array([.integer(1)])])
        #expect(JSONValue.parseObject(Array("[1]".utf8)) == nil)
        #expect(JSONValue.parseObject(Array("\"s\"".utf8)) == nil)
    }

    /// Whether our value and Foundation's object mean the same JSON.
    private static func same(_ value: JSONValue, _ object: Any) -> Bool {
        switch value {
        case .null: return object is NSNull
        case .bool(let flag): return (object as? Bool) == flag
        case .integer(let integer): return (object as? NSNumber).map { $0.int64Value == integer && $0.doubleValue == Double(integer) } ?? false
        case .double(let double): return (object as? NSNumber).map { $0.doubleValue == double } ?? false
        case .string(let string): return (object as? String) == string
        case .array(let elements):
            guard let others = object as? [Any], others.count == elements.count else { return false }
            return zip(elements, others).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let others = object as? [String: Any], others.count == members.count else { return false }
            return members.allSatisfy { key, member in others[key].map { same(member, $0) } ?? false }
        }
    }
}
