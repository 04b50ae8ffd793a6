@testable import Engine
import Testing

@Suite("A pass's provider fingerprints: the table's answers, one lookup per run of a service")
struct ProviderFingerprintsTests {
    @Test("Service after service, in any order, the answer is the table's own (served with its fingerprint, or not)")
    func answersAsTheTable() throws {
        let providers = try ProvidersDirectory()
        try providers.write("a.yaml", "kind: echo\n")
        try providers.write("b.yaml", "kind: echo\nlifetime: 600\n")
        try providers.write("c.yaml", "kind: other-kind\n")
        let table = providers.load().table
        #expect(table.names == ["a", "b", "c"])
        var fingerprints = ProviderFingerprints(table)
        var seen: Set<String> = []
        for service in ["a", "a", "b", "a", "nobody", "nobody", "b", "c", "a", "nobody", "c"] {
            let expected = table.provider(for: service)
                .map { ProviderFingerprints.Answer.served(fingerprint: $0.profile.fingerprint) } ?? .unserved
            let answer = fingerprints.answer(for: service)
            #expect(answer == expected, "\(service)")
            if case .served(let fingerprint) = answer { seen.insert(fingerprint) }
        }
        #expect(seen.count == 3, "each provider's own fingerprint: \(seen)")
    }
}
