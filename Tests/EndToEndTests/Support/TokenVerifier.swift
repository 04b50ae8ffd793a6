import Foundation
import Testing

/// Runs `Verifiers/verify_token.py` (python-scitokens and scitokens-cpp) on a `.use` file.
struct TokenVerifier {
    struct Report: Decodable {
        struct Check: Decodable {
            var verifier: String
            var check: String
            var ok: Bool
            var detail: String?
        }
        var ok: Bool
        var checks: [Check]
        var claims: [String: ClaimValue]
        var header: [String: ClaimValue]
    }

    /// A JSON value in a claim set (enough for assertions).
    enum ClaimValue: Decodable, Equatable {
        case string(String), number(Double), strings([String]), other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(String.self) { self = .string(value) }
            else if let value = try? container.decode(Double.self) { self = .number(value) }
            else if let value = try? container.decode([String].self) { self = .strings(value) }
            else { self = .other }
        }

        var string: String? { if case .string(let s) = self { s } else { nil } }
        var number: Double? { if case .number(let n) = self { n } else { nil } }
    }

    /// Verifies `useFile`; fails the test (with the helper's words) if the helper cannot run.
    static func verify(
        useFile: String, jwks: String, issuer: String, audience: String,
        allow: [String], deny: [String], extra: [String] = []
    ) throws -> Report {
        let jwksFile = FileManager.default.temporaryDirectory.appendingPathComponent("jwks-\(UUID().uuidString).json")
        try jwks.write(to: jwksFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: jwksFile) }
        var arguments = [TestPaths.verifier, "--token-file", useFile, "--jwks-file", jwksFile.path,
                         "--issuer", issuer, "--audience", audience, "--offline-only"] + extra
        for item in allow { arguments += ["--allow", item] }
        for item in deny { arguments += ["--deny", item] }
        guard let python = ProcessRunner.which("python3") else {
            Issue.record("python3 is not on the PATH; run scripts/test, which installs the verifiers")
            throw CancellationError()
        }
        let result = try ProcessRunner.run(python, arguments)
        guard result.status != 2 else {
            Issue.record("the token verifiers are not installed (run scripts/test): \(result.stderr)")
            throw CancellationError()
        }
        return try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
    }
}
