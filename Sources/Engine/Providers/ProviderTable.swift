import FoundationEssentials

/// The providers in force: one per service name, each built from a fragment in `providers.d/`.
public struct ProviderTable: Sendable {
    /// A provider and the fragment it came from.
    public struct Entry: Sendable {
        public var provider: any CredentialProvider {
            didSet { immediate = provider as? any ImmediateCredentialProvider }
        }
        /// ``provider`` as an ``ImmediateCredentialProvider``, if it is one: cast once here, not for every credential
        /// (a cast of a provider that is a struct copies it into a new box).
        public private(set) var immediate: (any ImmediateCredentialProvider)?
        public var file: String
        /// Whether the entry also serves its name spelled in other cases (`Box.top` for a `box` entry): true for the
        /// services HTCondor's `<S>_CLIENT_ID` knobs configure, whose names condor_credd matches case-insensitively.
        public var matchesAnyCase: Bool
        /// How its credentials are watched for expiry (the fragment's common keys).
        public var expiry: ExpiryPolicy

        public init(provider: any CredentialProvider, file: String, matchesAnyCase: Bool = false,
                    expiry: ExpiryPolicy = ExpiryPolicy(lifetime: .unknown)) {
            self.expiry = expiry
            self.provider = provider
            self.immediate = provider as? any ImmediateCredentialProvider
            self.file = file
            self.matchesAnyCase = matchesAnyCase
        }
    }

    /// Providers by service name; ``wildcard`` (`*`) serves the services no other entry serves.
    public private(set) var entries: [String: Entry]
    /// Services the wildcard provider leaves alone although no entry serves them: those HTCondor's knobs give to
    /// another credential type (as HTCondor's Vault credmon skips `scitokens`, `<S>_CLIENT_ID` services and the other
    /// credmons' lists).
    public var wildcardExclusions: Set<String>

    /// The name of the entry that serves every service no other entry serves (`VAULT_CREDMON_PROVIDER_NAMES = *`).
    public static let wildcard = "*"

    public init(entries: [String: Entry] = [:], wildcardExclusions: Set<String> = []) {
        self.entries = entries
        self.wildcardExclusions = wildcardExclusions
    }

    /// The provider for a service: its own entry (or, for an entry that ``Entry/matchesAnyCase``, its name in lower
    /// case), else the wildcard's unless the service is excluded from it.
    public func provider(for service: String) -> (any CredentialProvider)? { entry(for: service)?.provider }

    /// The entry that serves a service, as ``provider(for:)`` finds it.
    public func entry(for service: String) -> Entry? {
        if let entry = entries[service] { return entry }
        if let entry = entries[service.lowercased()], entry.matchesAnyCase { return entry }
        guard let wildcard = entries[Self.wildcard], !wildcardExclusions.contains(service),
              !wildcardExclusions.contains(service.lowercased()) else { return nil }
        return wildcard
    }

    /// Names in order.
    public var names: [String] { entries.keys.sorted() }

    /// The result of reading a fragment directory: the table of the good fragments and the errors of the bad ones.
    public struct LoadResult: Sendable {
        public var table: ProviderTable
        public var errors: [ConfigurationError]
        /// Fragment files that had errors (their providers are not in `table`).
        public var failedFiles: Set<String>

        public init(table: ProviderTable, errors: [ConfigurationError], failedFiles: Set<String>) {
            self.table = table
            self.errors = errors
            self.failedFiles = failedFiles
        }
    }

    /// Reads every `*.yaml` / `*.yml` file of `directory` in lexical order.
    public static func load(directory: String, catalog: KindCatalog, context: ProviderBuildContext) -> LoadResult {
        var result = LoadResult(table: ProviderTable(), errors: [], failedFiles: [])
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
                .sorted()
        } catch {
            result.errors.append(ConfigurationError(file: directory, problem: "cannot read the providers directory",
                                                    fix: "create it or pass --providers-dir"))
            return result
        }
        for file in files {
            let path = PathText.appending(directory, file)
            switch loadFragment(path: path, catalog: catalog, context: context, existing: result.table) {
            case .success(let entry):
                result.table.entries[entry.provider.profile.name] = entry
            case .failure(let errors):
                result.errors.append(contentsOf: errors.errors)
                result.failedFiles.insert(path)
            }
        }
        return result
    }

    /// After a reload: keep the previous provider of every fragment file that now fails, so a typo made while the
    /// daemon runs does not stop the credentials that fragment served.
    public func keepingPrevious(_ previous: ProviderTable, forFailedFiles failed: Set<String>) -> ProviderTable {
        var merged = self
        for (name, entry) in previous.entries where failed.contains(entry.file) && merged.entries[name] == nil {
            merged.entries[name] = entry
        }
        return merged
    }

    private static func loadFragment(
        path: String,
        catalog: KindCatalog,
        context: ProviderBuildContext,
        existing: ProviderTable
    ) -> Result<Entry, ConfigurationErrors> {
        func failure(_ line: Int? = nil, _ key: String? = nil, _ problem: String, fix: String? = nil) -> Result<Entry, ConfigurationErrors> {
            .failure(ConfigurationErrors([ConfigurationError(file: path, line: line, key: key, problem: problem, fix: fix)]))
        }
        let text: String
        switch FragmentFile.read(path: path) {
        case .success(let read): text = read
        case .failure(let error): return .failure(ConfigurationErrors([error]))
        }
        let node: YAMLNode?
        do {
            node = try YAMLReader.compose(yaml: text)
        } catch {
            return failure(error.line, nil, "not valid YAML: \(error.summary)")
        }
        guard let node, case .mapping(let mapping) = node else {
            return failure(node?.mark?.line, nil, "expected a mapping of keys (name, kind, …)",
                           fix: "see README.md, 'providers.d reference'")
        }
        var fragment = FragmentReader(file: path, mapping: mapping)
        let stem = PathText.deletingExtension(PathText.lastComponent(path))
        let name = fragment.string("name") ?? (fragment.has("name") ? nil : stem)
        if name == nil && fragment.errors.isEmpty {
            fragment.fail("name", "is empty", fix: "write a service name, or remove the key to use the file name '\(stem)'")
        }
        let kindName = fragment.string("kind", required: true, example: catalog.names.first ?? "<kind>")
        guard let name, let kindName else { return .failure(ConfigurationErrors(fragment.errors)) }
        let wildcard = name == Self.wildcard
        guard wildcard || CredentialNames.isValidProviderName(name, allowSpecialCharacters: context.allowSpecialCharacterNames) else {
            return failure(fragment.line(of: "name"), "name", "'\(name)' is not a valid service name",
                           fix: "use letters, digits and '-' only (or set CREDMON_ALLOW_SPECIAL_CHAR_NAMES)")
        }
        guard let kind = catalog.kind(named: kindName) else {
            let nearest = catalog.names.min { FragmentReader.distance($0, kindName) < FragmentReader.distance($1, kindName) }
            let suggestion = nearest.flatMap { FragmentReader.distance($0, kindName) <= 3 ? "did you mean '\($0)'? " : nil } ?? ""
            return failure(fragment.line(of: "kind"), "kind", "unknown kind '\(kindName)'",
                           fix: suggestion + "known kinds: \(catalog.names.joined(separator: ", "))")
        }
        if wildcard && !kind.servesWildcard {
            let kinds = catalog.names.filter { catalog.kind(named: $0)?.servesWildcard == true }
            return failure(fragment.line(of: "name"), "name", "a '\(kindName)' provider cannot serve every service ('*')",
                           fix: kinds.isEmpty ? "name the service" : "name the service; only \(kinds.joined(separator: ", ")) may be '*'")
        }
        if let other = existing.entries[name] {
            return failure(fragment.line(of: "name"), "name", "the service '\(name)' is already configured in \(other.file)",
                           fix: "give each fragment its own name")
        }
        do {
            let expiry = ExpiryPolicy.read(&fragment, lifetime: kind.credentialLifetime)
            let provider = try kind.makeProvider(name: name, fragment: &fragment, context: context)
            return .success(Entry(provider: provider, file: path, expiry: expiry))
        } catch {
            return .failure(error)
        }
    }
}
