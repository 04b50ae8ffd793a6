import Foundation

/// An `application/x-www-form-urlencoded` list of name/value pairs, parsed and serialized as the WHATWG URL
/// standard (and so HTML and RFC 6749 appendix B) says: pairs split on `&`, name and value on the first `=`,
/// `+` is a space, `%XX` is a byte, bytes are UTF-8 (invalid sequences become U+FFFD), a `%` not followed by
/// two hex digits is kept as it is.
public struct FormBody: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One pair.
    public struct Field: Sendable, Hashable {
        /// The decoded name.
        public var name: String
        /// The decoded value.
        public var value: String

        /// A pair.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Every pair, in order (duplicates kept).
    public var fields: [Field]

    /// A form made of `fields`.
    public init(fields: [Field] = []) { self.fields = fields }

    /// A form from `name: value` pairs, in order.
    public init(dictionaryLiteral elements: (String, String)...) {
        fields = elements.map { Field(name: $0.0, value: $0.1) }
    }

    /// Parses an encoded form (a request body or a URL query).
    public init(parsing encoded: String) { self.init(parsing: Array(encoded.utf8)) }

    /// Parses an encoded form from bytes.
    public init(parsing data: Data) { self.init(parsing: Array(data)) }

    /// Parses an encoded form from bytes.
    public init(parsing bytes: [UInt8]) {
        fields = bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { pair in
            if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                return Field(name: FormBody.decode(pair[..<equals]), value: FormBody.decode(pair[(equals + 1)...]))
            }
            return Field(name: FormBody.decode(pair[...]), value: "")
        }
    }

    /// The value of the first pair named `name`, or nil. An empty value counts as absent, as RFC 6749 §3.1
    /// requires ("parameters sent without a value MUST be treated as if they were omitted").
    public subscript(_ name: String) -> String? {
        guard let value = fields.first(where: { $0.name == name })?.value, !value.isEmpty else { return nil }
        return value
    }

    /// Every value named `name`, in order (empty ones included).
    public func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// The names present more than once (RFC 6749 §3.1 forbids repeating a parameter).
    public var repeatedNames: [String] {
        var seen = Set<String>()
        var repeated: [String] = []
        for field in fields where !seen.insert(field.name).inserted && !repeated.contains(field.name) {
            repeated.append(field.name)
        }
        return repeated
    }

    /// The pairs as a dictionary (the last of a repeated name wins).
    public var dictionary: [String: String] {
        Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// Appends a pair.
    public mutating func append(_ name: String, _ value: String) { fields.append(Field(name: name, value: value)) }

    /// The serialization: `name=value&…`, each part encoded by `encode(_:)`.
    public var encoded: String {
        fields.map { "\(FormBody.encode($0.name))=\(FormBody.encode($0.value))" }.joined(separator: "&")
    }

    /// Iterates the pairs in order.
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// Encodes one name or value: ASCII letters, digits and `*-._` stay, a space becomes `+`, every other
    /// UTF-8 byte becomes `%XX` (upper-case hex). This is also the encoding RFC 6749 §2.3.1 applies to the
    /// client id and secret before they are joined with `:` and base64-encoded for HTTP Basic.
    public static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return out
    }

    /// Decodes one name or value: `+` is a space, `%XX` a byte, the bytes UTF-8.
    public static func decode(_ text: String) -> String { decode(Array(text.utf8)[...]) }

    /// Decodes one encoded name or value given as bytes.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), bytes.distance(from: index, to: bytes.endIndex) >= 3,
                      let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 2
            } else {
                out.append(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
