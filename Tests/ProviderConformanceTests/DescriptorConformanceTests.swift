import Engine
import ProviderCatalog
import Testing

/// The catalog's kinds as descriptors: every one under the suite, unique names, one default kind per credential
/// type, and knob translation that builds what the equivalent fragment builds.
@Suite("Conformance: descriptors")
struct DescriptorConformanceTests {
    @Test("every kind of the catalog has a conformance subject, and every subject a kind of the catalog")
    func everyKindIsUnderTest() {
        let catalog = ProviderCatalog.kinds.map { $0.kind }
        let subjects = ConformanceSubjects.all.map { $0.kind.kind }
        for kind in catalog {
            #expect(subjects.contains(kind), "kind '\(kind)' has no ConformanceSubject: add one to ConformanceSubjects.all")
        }
        #expect(subjects.count == Set(subjects).count, "one subject per kind")
        #expect(Set(subjects) == Set(catalog), "subjects of kinds the catalog does not list: \(Set(subjects).subtracting(catalog))")
    }

    @Test("kind names are unique and not empty, and the catalog loads")
    func uniqueNames() throws {
        let names = ProviderCatalog.kinds.map { $0.kind }
        #expect(names.allSatisfy { !$0.isEmpty })
        #expect(names.count == Set(names).count, "\(names)")
        _ = try ProviderCatalog.load()
    }

    @Test("each credential type served has exactly one default kind")
    func oneDefaultPerType() {
        let served = Set(ProviderCatalog.kinds.map { $0.credentialType })
        for type in served {
            let defaults = ProviderCatalog.kinds.filter { $0.credentialType == type && $0.servesUnrecognisedServices }.map { $0.kind }
            #expect(defaults.count == 1, "\(type.rawValue): default kinds \(defaults)")
        }
    }

    @Test("a kind that translates knobs builds from a knob-only configuration what the equivalent fragment builds",
          arguments: ConformanceSubjects.all)
    func knobsBuildTheEquivalentProvider(_ subject: ConformanceSubject) throws {
        let fixture = try ConformanceFixture()
        let probe = CondorKnobs(values: [:], origin: "probe")
        guard let configuration = subject.knobs?(fixture) else {
            let kind = subject.kind
            let translates = kind.knobFragment(service: fixture.service, knobs: probe) != nil
            #expect(!translates,
                    "\(subject.kind.kind) translates knobs: give its subject a knob-only configuration")
            return
        }
        let knobs = CondorKnobs(values: configuration.knobs, origin: "conformance condor_config_val")
        let kind = subject.kind
        let fragment = kind.knobFragment(service: fixture.service, knobs: knobs)
        let translated = try #require(fragment)
        #expect(translated.problems.isEmpty, "\(translated.problems)")
        let fromKnobs: ProviderTable.Entry
        switch translated.makeEntry(catalog: try ProviderCatalog.load(), context: fixture.context, origin: knobs.origin) {
        case .success(let entry): fromKnobs = entry
        case .failure(let errors): Issue.record("the knobs did not build: \(errors)"); return
        }
        let fromFragment = try fixture.build(subject, keys: configuration.keys).profile
        let built = fromKnobs.provider.profile
        #expect(built.kind == fromFragment.kind && built.name == fromFragment.name)
        #expect(built.settings == fromFragment.settings)
        #expect(built.traits == fromFragment.traits)
        #expect(built.fingerprint == fromFragment.fingerprint)
    }
}
