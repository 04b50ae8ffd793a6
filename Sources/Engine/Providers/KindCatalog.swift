import FoundationEssentials

/// The provider kinds of a build, checked and indexed: the one place the daemon, `credmon check`,
/// `import-condor-config` and credmon-web ask which kind serves what. Built from the `ProviderCatalog` target's list.
public struct KindCatalog: Sendable {
    /// Every kind, in catalog order.
    public let kinds: [any ProviderKind.Type]
    private let byName: [String: any ProviderKind.Type]

    /// Why a list of kinds is not a catalog.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// Checks the list: names are unique and non-empty, and at most one kind per credential type serves the
    /// services no other kind recognises.
    public init(_ kinds: [any ProviderKind.Type]) throws(Problem) {
        if let problem = Self.problem(in: kinds) { throw problem }
        self.init(checked: kinds)
    }

    /// What makes `kinds` not a catalog, if anything.
    static func problem(in kinds: [any ProviderKind.Type]) -> Problem? {
        // Type names only for a problem: describing a metatype reflects on it, which scans every protocol conformance
        // of the binary (a seventh of the daemon's start-up when it was done for every kind).
        var seen: [String: any ProviderKind.Type] = [:]
        for kind in kinds {
            let name = kind.kind
            if name.isEmpty { return Problem(description: "a provider kind (\(String(describing: kind))) has an empty name") }
            if let other = seen[name] {
                return Problem(description: "two provider kinds are named '\(name)' (\(String(describing: other)) and \(String(describing: kind))); give each its own name")
            }
            seen[name] = kind
        }
        for type in CondorCredentialType.allCases {
            let defaults = kinds.filter { $0.credentialType == type && $0.servesUnrecognisedServices }.map { $0.kind }
            if defaults.count > 1 {
                return Problem(description: "provider kinds \(defaults.joined(separator: ", ")) all serve unrecognised \(type.rawValue) services; only one may")
            }
        }
        return nil
    }

    /// A catalog without kinds.
    public static let empty = KindCatalog(checked: [])

    private init(checked kinds: [any ProviderKind.Type]) {
        self.kinds = kinds
        byName = Dictionary(kinds.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The kind named `name` (a fragment's `kind:`).
    public func kind(named name: String) -> (any ProviderKind.Type)? { byName[name] }

    /// Kind names, sorted.
    public var names: [String] { byName.keys.sorted() }

    /// The kinds that serve condor_credd's credential type `type`.
    public func kinds(serving type: CondorCredentialType) -> [any ProviderKind.Type] {
        kinds.filter { $0.credentialType == type }
    }

    /// The kind of a service that has no fragment, as HTCondor recognises its providers: among the kinds serving
    /// `type`, by the token URL's host, else by the service name, else the kind serving unrecognised services.
    public func recognise(service: String, type: CondorCredentialType, tokenURL: String?) -> (any ProviderKind.Type)? {
        recognition(service: service, type: type, tokenURL: tokenURL)?.kind
    }

    /// ``recognise(service:type:tokenURL:)`` and whether the token URL's host is the kind's own.
    public func recognition(service: String, type: CondorCredentialType, tokenURL: String?) -> (kind: any ProviderKind.Type, byHost: Bool)? {
        let candidates = kinds(serving: type)
        if let tokenURL, let host = WebURL.parse(tokenURL)?.host?.lowercased(),
           let kind = candidates.first(where: { kind in kind.tokenURLHosts.contains { host.hasSuffix($0) || "." + host == $0 } }) {
            return (kind, true)
        }
        let lower = service.lowercased()
        if let kind = candidates.first(where: { $0.serviceNames.contains(lower) }) { return (kind, false) }
        return candidates.first(where: { $0.servesUnrecognisedServices }).map { ($0, false) }
    }
}
