
extension KnobFragment {
    /// Builds the provider exactly as a fragment with these keys would be built (same reader, same kind code);
    /// errors name the HTCondor knob instead of the fragment key.
    public func makeEntry(catalog: KindCatalog, context: ProviderBuildContext, origin: String) -> Result<ProviderTable.Entry, ConfigurationErrors> {
        let file = Self.file(service: service, origin: origin)
        guard service == ProviderTable.wildcard || CredentialNames.isValidProviderName(service, allowSpecialCharacters: context.allowSpecialCharacterNames) else {
            return .failure(ConfigurationErrors(problems + [ConfigurationError(
                file: file, key: listKnob, problem: "'\(service)' is not a valid service name",
                fix: "use letters, digits and '-' only (or set CREDMON_ALLOW_SPECIAL_CHAR_NAMES = true)")]))
        }
        guard let kindType = catalog.kind(named: kind) else {
            return .failure(ConfigurationErrors(problems + [ConfigurationError(file: file, problem: "this build of Credmon has no '\(kind)' provider")]))
        }
        var reader = FragmentReader(file: file, mapping: mapping)
        _ = reader.string("name")
        _ = reader.string("kind")
        do {
            let provider = try kindType.makeProvider(name: service, fragment: &reader, context: context)
            guard problems.isEmpty else { return .failure(ConfigurationErrors(problems)) }
            return .success(ProviderTable.Entry(provider: provider, file: file))
        } catch {
            return .failure(ConfigurationErrors(problems + error.errors.map(renamingKeys)))
        }
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
