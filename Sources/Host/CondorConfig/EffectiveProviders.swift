import FoundationEssentials
import Engine

/// The one provider table Credmon runs with: `providers.d/` fragments plus the providers HTCondor's knobs describe.
/// A fragment wins over knobs for the same service (the admin's move to YAML is in progress).
public struct EffectiveProviders: Sendable {
    public var table: ProviderTable
    /// Every problem found; those of services still served (warnings, ignored knobs) have their service's entry in
    /// ``table`` and no file in ``failedFiles``.
    public var errors: [ConfigurationError]
    /// Fragment files and knob-built services that failed (their previous providers are kept on reload).
    public var failedFiles: Set<String>
    /// Services configured both ways: the fragment file that won.
    public var overridden: [(service: String, fragmentFile: String)]
    /// What the knobs said, for `credmon check` and `import-condor-config`.
    public var translation: KnobTranslator.Translation?
    public var sorter: CredSorter?

    /// Merges a loaded `providers.d/` with the knobs (nil when HTCondor is not in sight).
    public static func merge(fragments: ProviderTable.LoadResult, knobs: CondorKnobs?,
                             catalog: KindCatalog, context: ProviderBuildContext) -> EffectiveProviders {
        var result = EffectiveProviders(table: fragments.table, errors: fragments.errors, failedFiles: fragments.failedFiles,
                                        overridden: [], translation: nil, sorter: nil)
        guard let knobs else { return result }
        let translator = KnobTranslator(knobs: knobs, catalog: catalog)
        let translation = translator.translate()
        result.translation = translation
        result.sorter = translator.sorter
        var entries = fragments.table.entries
        let failedFragmentServices = Set(fragments.failedFiles.map { PathText.deletingExtension(PathText.lastComponent($0)) })
        for fragment in translation.fragments {
            if let existing = entries[fragment.service] {
                result.overridden.append((fragment.service, existing.file))
                continue
            }
            // A fragment for this service that failed to load still wins: the knobs must not silently take over.
            if failedFragmentServices.contains(fragment.service) { continue }
            let build = fragment.build(catalog: catalog, context: context, origin: knobs.origin)
            result.errors.append(contentsOf: build.reports)
            switch build.result {
            case .success(var entry):
                entry.matchesAnyCase = translator.sorter.matchesAnyCase(fragment.service)
                entries[fragment.service] = entry
            case .failure(let errors):
                result.errors.append(contentsOf: errors.errors)
                result.failedFiles.insert(KnobFragment.file(service: fragment.service, origin: knobs.origin))
            }
        }
        result.table = ProviderTable(entries: entries, wildcardExclusions: translator.sorter.wildcardExclusions)
        return result
    }
}
