import Engine
import Testing

/// The fingerprint decides on reload whether tokens are renewed: it changes with a setting that affects tokens and
/// only then.
@Suite("Conformance: fingerprints")
struct FingerprintConformanceTests {
    @Test("the same settings give the same fingerprint, however the fragment is written", arguments: ConformanceSubjects.all)
    func stable(_ subject: ConformanceSubject) throws {
        let fixture = try ConformanceFixture()
        let keys = subject.keys(fixture)
        let first = try fixture.build(subject).profile.fingerprint
        let again = try fixture.build(subject).profile.fingerprint
        let rewritten = try fixture.build(subject, keys: ["# the same settings, reordered"] + keys.reversed()).profile.fingerprint
        #expect(first == again)
        #expect(first == rewritten)
    }

    @Test("a setting that affects tokens changes the fingerprint", arguments: ConformanceSubjects.all)
    func changes(_ subject: ConformanceSubject) throws {
        let fixture = try ConformanceFixture()
        let keys = subject.keys(fixture)
        let before = try fixture.build(subject).profile.fingerprint
        let changed = try fixture.build(subject, keys: keys.setting(subject.tokenSetting.key, to: subject.tokenSetting.value))
        #expect(changed.profile.fingerprint != before, "\(subject.tokenSetting.key): \(subject.tokenSetting.value)")
    }
}

extension [String] {
    /// The fragment lines with `key` set to `value` (replaced where it is, else added at the end).
    func setting(_ key: String, to value: String) -> [String] {
        guard let index = firstIndex(where: { $0.hasPrefix(key + ":") }) else { return self + ["\(key): \(value)"] }
        var lines = self
        lines[index] = "\(key): \(value)"
        return lines
    }

    /// The fragment lines without `key`.
    func removing(_ key: String) -> [String] { filter { !$0.hasPrefix(key + ":") } }
}
