/// How condor_credd sorts a service name (its `CredSorter`, contract §C.0.3), so that Credmon handles exactly the
/// credentials HTCondor expects a credmon to handle.
public struct CredSorter: Sendable, Equatable {
    /// The credential types credd knows.
    public typealias CredentialType = CondorCredentialType

    public var local: [String]
    public var client: [String]
    /// Explicit OAuth2 names (`*` and unset are empty).
    public var oauth2: [String]
    /// Explicit Vault names (`*` is empty).
    public var vault: [String]
    public var vaultEnabled: Bool
    /// Whether the Vault credmon serves every otherwise unclaimed service (`VAULT_CREDMON_PROVIDER_NAMES` unset, the
    /// default, or listing `*`; contract §C.0.2, §C.4.1).
    public var vaultWildcard: Bool
    public var pelican: [String]
    /// Services with `<S>_CLIENT_ID` (lower case).
    public var clientIDServices: Set<String>

    public init(knobs: CondorKnobs) {
        local = knobs.list("LOCAL_CREDMON_PROVIDER_NAMES").flatMap { $0.isEmpty ? nil : $0 }
            ?? [knobs["LOCAL_CREDMON_PROVIDER_NAME"] ?? "scitokens"]
        client = knobs.list("CLIENT_CREDMON_PROVIDER_NAMES") ?? []
        oauth2 = (knobs.list("OAUTH2_CREDMON_PROVIDER_NAMES") ?? []).filter { $0 != "*" }
        vault = (knobs.list("VAULT_CREDMON_PROVIDER_NAMES") ?? []).filter { $0 != "*" }
        vaultEnabled = knobs.isSet("VAULT_CREDMON_PROVIDER_NAMES") || knobs.isSet("SEC_CREDENTIAL_STORER")
        vaultWildcard = knobs.list("VAULT_CREDMON_PROVIDER_NAMES").map { $0.isEmpty || $0.contains("*") } ?? true
        pelican = knobs.list("PELICAN_CREDMON_PROVIDER_NAMES") ?? []
        clientIDServices = Set(knobs.servicesWithClientID)
    }

    /// credd's sort of a bare service name.
    public func sort(_ service: String) -> CredentialType {
        if local.contains(service) { return .localIssuer }
        if client.contains(service) { return .localClient }
        if oauth2.contains(service) { return .oauth2 }
        if vault.contains(service) { return .vault }
        if pelican.contains(service) { return .pelican }
        let hasClientID = clientIDServices.contains(service.lowercased())
        if oauth2.isEmpty && hasClientID { return .oauth2 }
        if vaultEnabled && vault.isEmpty && !hasClientID { return .vault }
        return .unknown
    }

    /// Whether condor_credd finds `service` (lower case) in any spelling: a service configured only by
    /// `<S>_CLIENT_ID` (knob names are case-insensitive); names in the provider lists match exactly, as in credd.
    public func matchesAnyCase(_ service: String) -> Bool {
        oauth2.isEmpty && clientIDServices.contains(service) && !(local + client + vault + pelican).contains(service)
    }

    /// Every service the configuration names, with its type, in a stable order: local, client, OAuth2 (explicit,
    /// then by `<S>_CLIENT_ID`), Vault, Pelican. A name in two lists appears once, with credd's type.
    public var namedServices: [(service: String, type: CredentialType)] {
        var seen = Set<String>()
        var result: [(String, CredentialType)] = []
        let implicitOAuth = oauth2.isEmpty ? clientIDServices.sorted() : []
        for name in local + client + oauth2 + implicitOAuth + vault + pelican where seen.insert(name).inserted {
            result.append((name, sort(name)))
        }
        return result
    }

    /// The services the Vault wildcard leaves to others (contract §C.4.1): every name the other lists give, the
    /// services with `<S>_CLIENT_ID`, and `scitokens`.
    public var wildcardExclusions: Set<String> {
        Set(local + client + oauth2 + pelican + ["scitokens"]).union(clientIDServices)
    }

    /// Names that appear in more than one list (the reference only warns: "overlap … continuing anyway").
    public var overlaps: [String] {
        var counts: [String: Int] = [:]
        for list in [local, client, oauth2, vault, pelican] { for name in Set(list) { counts[name, default: 0] += 1 } }
        return counts.filter { $0.value > 1 }.map(\.key).sorted()
    }
}
