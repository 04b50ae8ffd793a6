import Testing
@testable import Engine

/// Engine's YAML reader (libyaml underneath): the nodes, typed readings and errors the fragments relied on with Yams.
@Suite("YAML reader")
struct YAMLReaderTests {
    static func mapping(_ text: String) throws -> YAMLNode.Mapping {
        guard case .mapping(let mapping)? = try YAMLReader.compose(yaml: text) else { throw YAMLError(line: nil, summary: "no mapping") }
        return mapping
    }

    @Test("Scalars keep text, style, tag and line; quoted scalars are strings")
    func scalars() throws {
        let pairs = try Self.mapping("a: 1\nb: '1'\nc: yes\nd: \"on\"\ne: !!str 7\nf: 0x1F\ng: 1_000\nh: 1:30\ni: .inf\nj: ~\n").pairs
        let values = Dictionary(uniqueKeysWithValues: pairs.map { ($0.key.scalar!.string, $0.value) })
        #expect(values["a"]?.int == 1 && values["a"]?.scalar?.style == .plain && values["a"]?.mark?.line == 1)
        #expect(values["b"]?.int == nil && values["b"]?.scalar?.tag == .str && values["b"]?.mark?.line == 2)
        #expect(values["c"]?.bool == true && values["d"]?.bool == nil)
        #expect(values["e"]?.int == 7 && values["e"]?.bool == nil)
        #expect(values["f"]?.int == 31 && values["g"]?.int == 1000 && values["h"]?.int == 90)
        #expect(values["i"]?.float == .infinity && values["j"]?.scalar?.string == "~")
    }

    @Test("Anchors and aliases resolve; an undefined alias, a second document and a syntax error are errors with lines")
    func structure() throws {
        let pairs = try Self.mapping("x: &v [a, b]\ny: *v\n").pairs
        guard case .sequence(let list) = pairs[1].value else { Issue.record("not a list"); return }
        #expect(list.items.compactMap { $0.scalar?.string } == ["a", "b"])
        #expect(throws: YAMLError(line: 1, summary: "found undefined alias")) { try YAMLReader.compose(yaml: "a: *nope\n") }
        #expect(throws: YAMLError(line: 3, summary: "but found another document")) { try YAMLReader.compose(yaml: "---\na: 1\n---\nb: 2\n") }
        #expect(throws: YAMLError(line: 2, summary: "mapping values are not allowed in this context")) {
            try YAMLReader.compose(yaml: "a: 1\n  b: [\n")
        }
        #expect(try YAMLReader.compose(yaml: "") == nil)
        #expect(try YAMLReader.compose(yaml: "# only a comment\n") == nil)
    }

    @Test("Repeated keys (same text and resolved tag) are refused, naming them")
    func repeatedKeys() {
        #expect(throws: YAMLError(line: nil, summary: "a key appears twice (name); keep one")) {
            try YAMLReader.compose(yaml: "name: a\nkind: b\nname: c\n")
        }
        #expect(throws: YAMLError(line: nil, summary: "a key appears twice (a); keep one")) {
            try YAMLReader.compose(yaml: "a: 1\n!!str a: 2\n")
        }
        #expect((try? YAMLReader.compose(yaml: "1: a\n'1': b\n")) != nil, "an integer key and a string key differ")
    }

    @Test("Hostile input is bounded: nesting and aliases that multiply nodes")
    func limits() {
        let deep = "a: " + String(repeating: "[", count: 1500) + String(repeating: "]", count: 1500) + "\n"
        #expect(throws: YAMLError.self) { try YAMLReader.compose(yaml: deep) }
        var laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            let name = Character(UnicodeScalar(UInt8(97 + level)))
            laughs += "\(name): &\(name) [" + Array(repeating: "*\(Character(UnicodeScalar(UInt8(96 + level))))", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect(throws: YAMLError.self) { try YAMLReader.compose(yaml: laughs) }
        let unclosed = "a: " + String(repeating: "[", count: 1500) + "\n"
        #expect(throws: YAMLError.self) { try YAMLReader.compose(yaml: unclosed) }
    }
}
