
extension KnobFragment {
    /// Builds the provider exactly as a fragment with these keys would be built (same reader, same kind code);
    /// errors name the HTCondor knob instead of the fragment key.
    public func makeEntry(catalog: KindCatalog, context: ProviderBuildContext, origin: String) -> Result<ProviderTable.Entry, ConfigurationErrors> {
        build(catalog: catalog, context: context, origin: origin).result
    }

    /// What building a knob-described provider gave: the entry (or why there is none), and what to tell the admin
    /// although the entry is served (warnings, and knobs ignored because their values are unusable).
    public struct Build: Sendable {
        public var result: Result<ProviderTable.Entry, ConfigurationErrors>
        public var reports: [ConfigurationError]
    }

    /// Builds the provider as ``makeEntry(catalog:context:origin:)`` does. A local issuer condor_credd routes submits
    /// to must always mint, as HTCondor's does: there, a knob whose value is unusable is dropped (the kind's default
    /// applies) and reported as an error, instead of rejecting the whole issuer; the signing key's knobs are never
    /// dropped (another key would sign).
    public func build(catalog: KindCatalog, context: ProviderBuildContext, origin: String) -> Build {
        let file = Self.file(service: service, origin: origin)
        guard service == ProviderTable.wildcard || CredentialNames.isValidProviderName(service, allowSpecialCharacters: context.allowSpecialCharacterNames) else {
            return Build(result: .failure(ConfigurationErrors(problems + [ConfigurationError(
                file: file, key: listKnob, problem: "'\(service)' is not a valid service name",
                fix: "use letters, digits and '-' only (or set CREDMON_ALLOW_SPECIAL_CHAR_NAMES = true)")])), reports: [])
        }
        guard let kindType = catalog.kind(named: kind) else {
            return Build(result: .failure(ConfigurationErrors(problems + [ConfigurationError(file: file, problem: "this build of Credmon has no '\(kind)' provider")])),
                         reports: [])
        }
        let lenient = credentialType == .localIssuer
        // Warnings (e.g. a boolean HTCondor would not parse, so its default applies) never stop a provider.
        let fatal = lenient ? [] : problems.filter { !$0.isWarning }
        if !fatal.isEmpty {
            // Build anyway, so that every problem is reported at once.
            let attempt = attempt(kindType, file: file, context: context)
            let later = attempt.errors.map(renamingKeys)
            return Build(result: .failure(ConfigurationErrors(problems + later)), reports: [])
        }
        var current = self
        // For a local issuer, a knob the translation could not read was never added: it is ignored.
        var reports = lenient ? problems.map { $0.isWarning ? $0 : Self.ignored($0) } : problems
        while true {
            let attempt = current.attempt(kindType, file: file, context: context)
            if let entry = attempt.entry {
                return Build(result: .success(entry), reports: reports + attempt.warnings.map(current.renamingKeys))
            }
            let droppable = Set(attempt.errors.compactMap(\.key)).filter { key in
                current.entries.contains { $0.key == key } && !Self.keyKnobs.contains(key)
            }
            guard lenient, !droppable.isEmpty, attempt.errors.allSatisfy({ $0.key.map(droppable.contains) == true }) else {
                return Build(result: .failure(ConfigurationErrors(reports + attempt.errors.map(current.renamingKeys))), reports: [])
            }
            reports += attempt.errors.map { Self.ignored(current.renamingKeys($0)) }
            for key in droppable {
                let knob = current.entries.first { $0.key == key }?.source
                current.entries.removeAll { $0.key == key }
                if let knob { current.knobForKey[key] = knob }
            }
        }
    }

    /// `error` about a knob that is left out, saying so.
    static func ignored(_ error: ConfigurationError) -> ConfigurationError {
        var report = error
        report.fix = (error.fix.map { "\($0); " } ?? "") + "until then Credmon ignores it and uses the default"
        return report
    }

    /// The keys that name the signing key: never dropped.
    static let keyKnobs: Set<String> = ["private_key", "public_key"]

    private struct Attempt {
        var entry: ProviderTable.Entry?
        var errors: [ConfigurationError]
        var warnings: [ConfigurationError]
    }

    private func attempt(_ kindType: any ProviderKind.Type, file: String, context: ProviderBuildContext) -> Attempt {
        var reader = FragmentReader(file: file, mapping: mapping)
        reader.fromHTCondorKnobs = true
        _ = reader.string("name")
        _ = reader.string("kind")
        let expiry = ExpiryPolicy.read(&reader, lifetime: kindType.credentialLifetime)
        switch Self.makeProvider(kindType, name: service, reader: &reader, context: context) {
        case .success(let provider):
            return Attempt(entry: ProviderTable.Entry(provider: provider, file: file, expiry: expiry), errors: [], warnings: reader.warnings)
        case .failure(let errors):
            return Attempt(entry: nil, errors: errors.errors, warnings: reader.warnings)
        }
    }

    private static func makeProvider(_ kindType: any ProviderKind.Type, name: String, reader: inout FragmentReader,
                                     context: ProviderBuildContext) -> Result<any CredentialProvider, ConfigurationErrors> {
        do { return .success(try kindType.makeProvider(name: name, fragment: &reader, context: context)) } catch { return .failure(error) }
    }

    /// The list knob that names this service.
    var listKnob: String {
        switch credentialType {
        case .localIssuer: "LOCAL_CREDMON_PROVIDER_NAMES"
        case .localClient: "CLIENT_CREDMON_PROVIDER_NAMES"
        case .vault: "VAULT_CREDMON_PROVIDER_NAMES"
        case .pelican: "PELICAN_CREDMON_PROVIDER_NAMES"
        case .oauth2, .unknown: "\(service.uppercased())_CLIENT_ID"
        }
    }

    /// Rewrites an error about a fragment key into one about the knob that set it (or would set it).
    func renamingKeys(_ error: ConfigurationError) -> ConfigurationError {
        guard let key = error.key else { return error }
        let knob = entries.first { $0.key == key }?.source ?? knobForKey[key] ?? key
        var renamed = error
        renamed.key = knob
        renamed.line = nil
        renamed.fix = (error.fix.map { "\($0); " } ?? "") + "in HTCondor's configuration that is \(knob)"
        return renamed
    }
}
