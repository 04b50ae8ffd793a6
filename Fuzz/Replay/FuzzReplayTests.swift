import Foundation
import Testing

/// Every file of `Fuzz/corpus/<target>/` (the committed seeds and every crash input, `crash-*`) fed to the harness
/// the libFuzzer target calls (`scripts/fuzz`), in the normal build: no trap, and every invariant the harness checks
/// holds (round trips, finite numbers, no secret in a description…).
@Suite("Fuzz corpora replayed through the fuzz harnesses")
struct FuzzReplayTests {
    static let corpusRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("corpus")

    /// The inputs of one target, by file name.
    static func inputs(_ target: String) -> [(name: String, bytes: [UInt8])] {
        let directory = corpusRoot.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { return nil }
            return (name, Array(data))
        }
    }

    func replay(_ target: String, _ check: ([UInt8]) throws(FuzzViolation) -> Void) {
        let inputs = Self.inputs(target)
        #expect(inputs.count >= 10, "Fuzz/corpus/\(target) has \(inputs.count) inputs")
        for input in inputs {
            do { try check(input.bytes) } catch { Issue.record("Fuzz/corpus/\(target)/\(input.name): \(error)") }
        }
    }

    @Test("vault-answer: Vault's answers and a Vault .top; no token with control characters, bounded messages, the Vault token never in a URL")
    func vaultAnswer() { replay("vault-answer", VaultAnswerHarness.check) }

    @Test("json: JSONValue.parseObject; parse(serialize(x)) == x, numbers finite")
    func json() { replay("json", JSONHarness.check) }

    @Test("use-file: AccessTokenFile.parse and validity; a .use written back reads the same")
    func useFile() { replay("use-file", UseFileHarness.check) }

    @Test("fragment: ProviderTable.load with every kind, and every kind's reader on each fragment")
    func fragment() { replay("fragment", FragmentHarness.check) }

    @Test("key-file: CondorKeyFile.parse; ads written back read the same, the secret is never described")
    func keyFile() { replay("key-file", KeyFileHarness.check) }

    @Test("pem-key: SigningKey(pem:) and JSONWebKey(publicKeyPEM:); accepted keys publish and sign")
    func pemKey() { replay("pem-key", PEMKeyHarness.check) }
}

extension FuzzReplayTests {
    @Test("token-answer: TokenResponse.parse then accessTokenFile; the .use reads back, refusals are printable")
    func tokenAnswer() { replay("token-answer", TokenAnswerHarness.check) }

    @Test("retry-after: RetryAfter.seconds within 0...maximum, a finite backoff")
    func retryAfter() { replay("retry-after", RetryAfterHarness.check) }

    @Test("jwt-claims: JWTClaims.peek dates within 1970...2200, printable errors")
    func jwtClaims() { replay("jwt-claims", JWTClaimsHarness.check) }

    @Test("classad-expr: ClassAdExpression parse and evaluate; printable refusals, deterministic values")
    func classAdExpr() { replay("classad-expr", ClassAdExprHarness.check) }

    @Test("expiry: ExpiryStore parse/serialize round trip, refresh-token expiry estimates, expiry_warnings text; bounded dates, printable refusals")
    func expiry() { replay("expiry", ExpiryHarness.check) }
}
