import Engine
import LocalSciToken
import Synchronization
import Testing

/// The daemon's host name is looked up (getaddrinfo, which may wait on DNS) only when a fragment needs it.
@Suite("Host name lookup: only for a fragment without an issuer, and once")
struct HostNameLookupTests {
    /// Counts the lookups of a ``ProviderBuildContext`` whose host is `ap.example.org`.
    final class CountingLookup: Sendable {
        let calls = Mutex(0)
        var count: Int { calls.withLock { $0 } }
        func context(keyDirectory: String) -> ProviderBuildContext {
            ProviderBuildContext(keyDirectory: keyDirectory, resolveHostName: {
                self.calls.withLock { $0 += 1 }
                return "ap.example.org"
            }, createMissingKeys: true, logger: quietLogger)
        }
    }

    func load(_ setup: Setup, _ lookup: CountingLookup) -> ProviderTable.LoadResult {
        ProviderTable.load(directory: setup.providersPath, catalog: try! KindCatalog([LocalSciTokenKind.self]),
                           context: lookup.context(keyDirectory: setup.keyDirectory))
    }

    @Test("Fragments that name their issuer load without a lookup")
    func namedIssuers() throws {
        let setup = try Setup()
        try setup.fragment("a.yaml", "kind: local-scitoken\nissuer: https://a.example.org\naudience: [\"https://s.example.org\"]\n")
        try setup.fragment("b.yaml", "kind: local-scitoken\nissuer: https://b.example.org\naudience: [\"https://s.example.org\"]\n")
        let lookup = CountingLookup()
        let result = load(setup, lookup)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.table.names.sorted() == ["a", "b"])
        #expect(lookup.count == 0)
    }

    @Test("Fragments without an issuer share one lookup and get https://<host>")
    func defaultIssuers() throws {
        let setup = try Setup()
        try setup.fragment("a.yaml", "kind: local-scitoken\naudience: [\"https://s.example.org\"]\n")
        try setup.fragment("b.yaml", "kind: local-scitoken\naudience: [\"https://s.example.org\"]\n")
        let lookup = CountingLookup()
        let result = load(setup, lookup)
        #expect(result.errors.isEmpty, "\(result.errors)")
        for name in ["a", "b"] {
            let provider = try #require(result.table.provider(for: name) as? LocalSciTokenProvider)
            #expect(provider.configuration.issuer == "https://ap.example.org")
        }
        #expect(lookup.count == 1)
    }

    @Test("An issuer that is not a string names the host in its fix")
    func exampleInError() throws {
        let setup = try Setup()
        try setup.fragment("a.yaml", "kind: local-scitoken\nissuer: [1, 2]\naudience: [\"https://s.example.org\"]\n")
        let lookup = CountingLookup()
        let result = load(setup, lookup)
        let error = try #require(result.errors.first { $0.key == "issuer" })
        #expect(error.fix?.contains("https://ap.example.org") == true, "\(error)")
        #expect(lookup.count == 1)
    }
}
