import Foundation
import Testing
@testable import Engine

/// `Fixtures/classad/corpus.txt` evaluated for several usernames by `ClassAdExpression` and by HTCondor's own
/// ClassAd library (PyPI classad2, through `Fixtures/classad/expected.py`): every result must be the same.
@Suite("ClassAd expressions against classad2 (HTCondor's ClassAd library)")
struct ClassAdExpressionCorpusTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures").appendingPathComponent("classad")

    /// Where this evaluator knowingly differs from classad2, with why; the test checks both sides keep to it.
    static let knownDifferences: [String: (swift: ClassAdValue, classad2: String, reason: String)] = [
        #"regexp("^(a|aa)*$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab")"#: (
            .boolean(false), "error",
            "PCRE2's backtracking hits its match limit and HTCondor gives error; the Pike VM here answers (no match)"),
    ]

    /// One result as expected.py writes it.
    struct Expected: Decodable, CustomStringConvertible {
        var type: String
        var value: JSONValue?

        enum JSONValue: Decodable {
            case bool(Bool), text(String)
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let value = try? container.decode(Bool.self) { self = .bool(value) } else { self = .text(try container.decode(String.self)) }
            }
        }

        var description: String {
            switch value {
            case .bool(let value)?: "\(type) \(value)"
            case .text(let value)?: "\(type) \(value.debugDescription)"
            case nil: type
            }
        }

        /// Whether `actual` is this result: reals bit for bit (NaN as NaN), strings exactly.
        func matches(_ actual: ClassAdValue) -> Bool {
            switch (actual, type, value) {
            case (.undefined, "undefined", _), (.error, "error", _): return true
            case (.boolean(let b), "boolean", .bool(let e)?): return b == e
            case (.integer(let i), "integer", .text(let e)?): return String(i) == e
            case (.real(let r), "real", .text(let e)?):
                guard let expected = Double(e) else { return false }
                return r.isNaN ? expected.isNaN : r.bitPattern == expected.bitPattern
            case (.string(let s), "string", .text(let e)?): return s == e
            default: return false
            }
        }
    }

    struct Document: Decodable {
        struct Case: Decodable {
            var expression: String
            var results: [Expected]
        }
        var generator: String
        var usernames: [String]
        var cases: [Case]
        var rejected: [Case]
    }

    /// The corpus's expressions (comment and blank lines skipped).
    static func corpus() throws -> [String] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("corpus.txt"), encoding: .utf8)
        return text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    /// Every (expression, username) whose Swift value is not classad2's, one line each.
    static func mismatches(_ document: Document) -> [String] {
        var out: [String] = []
        for item in document.cases {
            let expression: ClassAdExpression
            switch Result(catching: { () throws(ClassAdExpressionError) -> ClassAdExpression in try ClassAdExpression(parsing: item.expression) }) {
            case .success(let parsed): expression = parsed
            case .failure(let error):
                out.append("\(item.expression): refused (\(error)) but classad2 gives \(item.results.first?.description ?? "?")")
                continue
            }
            for (username, expected) in zip(document.usernames, item.results) {
                let actual = expression.evaluate(attributes: ["Username": .string(username)])
                if let known = knownDifferences[item.expression] {
                    if actual != known.swift || expected.type != known.classad2 {
                        out.append("\(item.expression) [\(username)]: the known difference (\(known.reason)) changed: Swift \(actual), classad2 \(expected)")
                    }
                    continue
                }
                if expected.type == "undecodable" {
                    // classad2 cannot hand Python a string that is not UTF-8; Swift repairs it with U+FFFD.
                    if case .string(let text) = actual, text.contains("\u{FFFD}") { continue }
                }
                if !expected.matches(actual) {
                    out.append("\(item.expression) [Username \(username.debugDescription)]: Swift \(actual), classad2 \(expected)")
                }
            }
        }
        return out
    }

    static func decode(_ data: Data) throws -> Document { try JSONDecoder().decode(Document.self, from: data) }

    @Test("the committed expected.json: every expression, every username, the same value as classad2")
    func committed() throws {
        let document = try Self.decode(try Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json")))
        #expect(document.cases.count >= 150, "corpus of \(document.cases.count) expressions")
        #expect(document.usernames.count >= 5)
        #expect(document.cases.map(\.expression) == (try Self.corpus()), "expected.json is stale: run Fixtures/classad/expected.py")
        let mismatches = Self.mismatches(document)
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.joined(separator: "\n"))")
    }

    @Test("classad2 run live (expected.py --stdout) agrees with the evaluator and with the committed expected.json")
    func live() throws {
        guard let python = Self.which("python3") else {
            Issue.record("python3 is not on the PATH (scripts/install-test-deps installs PyPI htcondor for this test)")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Self.fixtures.appendingPathComponent("expected.py").path, "--stdout"]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let messages = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("expected.py failed (status \(process.terminationStatus)): \(messages) — is PyPI htcondor installed (scripts/install-test-deps)?")
            return
        }
        let live = try Self.decode(data)
        let mismatches = Self.mismatches(live)
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches with classad2 (\(live.generator)):\n\(mismatches.joined(separator: "\n"))")
        let committed = try Self.decode(try Data(contentsOf: Self.fixtures.appendingPathComponent("expected.json")))
        let stale = zip(live.cases, committed.cases).filter { "\($0.0.results)" != "\($0.1.results)" || $0.0.expression != $0.1.expression }
        #expect(stale.isEmpty && live.cases.count == committed.cases.count,
                "expected.json differs from classad2 now (run expected.py): \(stale.map(\.0.expression).prefix(10))")
    }

    @Test("the expressions outside the subset are refused, each naming its construct")
    func rejected() throws {
        let text = try String(contentsOf: Self.fixtures.appendingPathComponent("rejected.txt"), encoding: .utf8)
        let rows = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("#") && $0.contains("\t") }
        #expect(rows.count >= 30)
        for row in rows {
            let parts = row.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            switch Result(catching: { () throws(ClassAdExpressionError) -> ClassAdExpression in try ClassAdExpression(parsing: parts[1]) }) {
            case .success: Issue.record("\(parts[1].debugDescription) was accepted; it should be refused naming \(parts[0])")
            case .failure(let error):
                #expect(error.description.contains(parts[0]), "\(parts[1].debugDescription): \(error.description) does not name \(parts[0])")
            }
        }
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
