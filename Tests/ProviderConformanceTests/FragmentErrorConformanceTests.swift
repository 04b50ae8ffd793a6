import Engine
import Testing

/// A bad fragment is an error naming the file, the line and the key; it never builds a provider.
@Suite("Conformance: fragment errors")
struct FragmentErrorConformanceTests {
    /// Loads `keys` as the subject's fragment and returns the one error about `key`.
    private func error(_ subject: ConformanceSubject, _ fixture: ConformanceFixture, keys: [String], about key: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> (error: ConfigurationError, path: String, text: String)? {
        let text = fixture.fragment(subject, keys: keys)
        let loaded = try fixture.load(text)
        #expect(loaded.provider == nil, "a bad fragment builds nothing", sourceLocation: sourceLocation)
        let error = loaded.errors.first { $0.key == key }
        #expect(error != nil, "an error about \(key); got \(loaded.errors)", sourceLocation: sourceLocation)
        return error.map { ($0, loaded.path, text) }
    }

    /// The 1-based line of `key` in `text`.
    private func line(of key: String, in text: String) -> Int? {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix(key + ":") }.map { $0 + 1 }
    }

    /// Checks that `error` names the file, the line and the key, in its fields and its text.
    private func expectLocated(_ error: ConfigurationError, path: String, line: Int?, key: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(error.file == path, sourceLocation: sourceLocation)
        #expect(error.key == key, sourceLocation: sourceLocation)
        #expect(error.line != nil && (line == nil || error.line == line), "line \(String(describing: error.line)), expected \(line ?? -1)",
                sourceLocation: sourceLocation)
        #expect(error.description.contains(path) && error.description.contains("'\(key)'"), "\(error)", sourceLocation: sourceLocation)
        if let reported = error.line { #expect(error.description.contains(":\(reported): "), sourceLocation: sourceLocation) }
    }

    @Test("an unknown key names the file, the line and the key", arguments: ConformanceSubjects.all)
    func unknownKey(_ subject: ConformanceSubject) throws {
        let fixture = try ConformanceFixture()
        let keys = subject.keys(fixture) + ["frobnicate: 3"]
        let found = try #require(try error(subject, fixture, keys: keys, about: "frobnicate"))
        #expect(found.error.problem.contains("unknown key"))
        expectLocated(found.error, path: found.path, line: line(of: "frobnicate", in: found.text), key: "frobnicate")
    }

    @Test("a value of the wrong type names the file, the line and the key", arguments: ConformanceSubjects.all)
    func wrongType(_ subject: ConformanceSubject) throws {
        let fixture = try ConformanceFixture()
        let (key, value) = subject.wrongType
        let found = try #require(try error(subject, fixture, keys: subject.keys(fixture).setting(key, to: value), about: key))
        expectLocated(found.error, path: found.path, line: line(of: key, in: found.text), key: key)
    }

    @Test("a missing required key names the file, a line and the key", arguments: ConformanceSubjects.all)
    func missingKey(_ subject: ConformanceSubject) throws {
        guard case .key(let key) = subject.requiredKey else { return }
        let fixture = try ConformanceFixture()
        let found = try #require(try error(subject, fixture, keys: subject.keys(fixture).removing(key), about: key))
        expectLocated(found.error, path: found.path, line: nil, key: key)
    }

    @Test("every kind without a required key says why")
    func noRequiredKeyIsDeclared() {
        for subject in ConformanceSubjects.all {
            if case .none(let reason) = subject.requiredKey { #expect(!reason.isEmpty, "\(subject.kind.kind)") }
        }
    }
}
