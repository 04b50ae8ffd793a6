extension HTTPServer {
    /// An ordered list of HTTP header fields whose names compare case-insensitively (RFC 9110 §5.1).
    public struct Headers: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
        /// One header field line.
        public struct Field: Sendable, Hashable {
            /// The name as it was sent.
            public var name: String
            /// The value, without leading or trailing white space.
            public var value: String

            /// A field named `name` with `value`.
            public init(name: String, value: String) {
                self.name = name
                self.value = value
            }
        }

        /// Every field, in the order received or added.
        public private(set) var fields: [Field]

        /// Headers made of `fields`.
        public init(_ fields: [Field] = []) { self.fields = fields }

        /// Headers from `name: value` pairs, in order.
        public init(dictionaryLiteral elements: (String, String)...) {
            fields = elements.map { Field(name: $0.0, value: $0.1) }
        }

        /// The first value of `name` (case-insensitive), or nil.
        public subscript(_ name: String) -> String? {
            let wanted = name.lowercased()
            return fields.first { $0.name.lowercased() == wanted }?.value
        }

        /// Every value of `name` (case-insensitive), in order.
        public func values(_ name: String) -> [String] {
            let wanted = name.lowercased()
            return fields.filter { $0.name.lowercased() == wanted }.map(\.value)
        }

        /// Whether a field named `name` is present.
        public func contains(_ name: String) -> Bool { self[name] != nil }

        /// Whether the comma-separated list in the `name` fields contains `token` (case-insensitive), as for
        /// `Connection: close` or `Expect: 100-continue`.
        public func listContains(_ name: String, token: String) -> Bool {
            let wanted = token.lowercased()
            return values(name).contains { value in
                value.split(separator: ",").contains { $0.trimmingOWS().lowercased() == wanted }
            }
        }

        /// Appends a field (keeps any field of the same name).
        public mutating func add(_ name: String, _ value: String) { fields.append(Field(name: name, value: value)) }

        /// Replaces every field named `name` by one with `value`.
        public mutating func set(_ name: String, _ value: String) {
            remove(name)
            add(name, value)
        }

        /// Removes every field named `name`.
        public mutating func remove(_ name: String) {
            let wanted = name.lowercased()
            fields.removeAll { $0.name.lowercased() == wanted }
        }

        /// Iterates the fields in order.
        public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and horizontal tabs (HTTP's optional white space).
    func trimmingOWS() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
