import Engine
import Foundation

/// Checks on `JSONValue`s shared by the harnesses that parse or render JSON.
enum JSONChecks {
    /// Whether every number in `value` is finite (RFC 8259 has no Infinity or NaN).
    static func allNumbersFinite(_ value: JSONValue) -> Bool {
        switch value {
        case .double(let double): double.isFinite
        case .array(let values): values.allSatisfy(allNumbersFinite)
        case .object(let members): members.values.allSatisfy(allNumbersFinite)
        case .null, .bool, .integer, .string: true
        }
    }

    /// Equality where numbers compare by value: `1`, `1.0` and `1e0` are the same number whether the parser made an
    /// `.integer` or a `.double` of it (a serialiser may write a whole Double without its fraction).
    static func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): x == y
        case (.double(let x), .double(let y)): x == y
        case (.integer(let x), .double(let y)), (.double(let y), .integer(let x)): Int64(exactly: y) == x
        case (.array(let x), .array(let y)): x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
        case (.object(let x), .object(let y)):
            x.count == y.count && x.allSatisfy { key, value in y[key].map { sameValue(value, $0) } ?? false }
        default: a == b
        }
    }

    /// Serialises `object`, parses the text again and checks that the same object comes back and that serialising
    /// that gives the same bytes. Returns the serialised bytes.
    @discardableResult
    static func roundTrip(_ object: [String: JSONValue], what: String) throws(FuzzViolation) -> [UInt8] {
        let text = Array(JSONValue.serialize(object))
        guard let again = JSONValue.parseObject(text) else {
            throw FuzzViolation("\(what): the serialised object does not parse again: \(fuzzPreview(text))")
        }
        try fuzzExpect(sameValue(.object(object), .object(again)),
                       "\(what): parse(serialize(x)) != x; serialised: \(fuzzPreview(text))")
        let twice = Array(JSONValue.serialize(again))
        try fuzzExpect(twice == text, "\(what): serialising is not stable: \(fuzzPreview(text)) then \(fuzzPreview(twice))")
        return text
    }
}
