import FoundationEssentials

/// A snapshot of the HTCondor knobs Credmon uses, read once per (re)load from a ``CondorConfigSource``.
///
/// Lookups are case-insensitive; unset and empty knobs are absent (contract §C.0.1). ``origin(of:)`` remembers how a
/// knob is spelled in the configuration, for messages and for the comments `import-condor-config` writes.
public struct CondorKnobs: Sendable {
    private var table: [String: (name: String, value: String)]
    /// Where the values came from.
    public let origin: String

    /// The daemon name (`-n/--name`), selecting `<NAME>_LOG`.
    public let daemonName: String

    /// The knobs every HTCondor credmon role reads (`condor_config_val -dump` pattern, case-insensitive).
    public static let dumpPattern =
        "CREDMON|_CLIENT_ID$|_CLIENT_SECRET_FILE$|_AUTHORIZATION_URL$|_TOKEN_URL$|_RETURN_URL_SUFFIX$|^SEC_CREDENTIAL_"
        + "|^TRUSTED_VAULT_HOSTS$|^AUTH_SSL_CLIENT_CA"

    /// Knobs with HTCondor defaults (or metaknob values) that a dump may not list; asked one by one.
    public static func singleKnobs(daemonName: String) -> [String] {
        ["SEC_CREDENTIAL_DIRECTORY_OAUTH", "SEC_CREDENTIAL_DIRECTORY", "\(daemonName)_LOG", "LOG", "FULL_HOSTNAME"]
    }

    public init(values: [String: String], origin: String, daemonName: String = "CREDMON_OAUTH") {
        var table: [String: (name: String, value: String)] = [:]
        for (name, value) in values {
            let trimmed = value.trimmingSpaces()
            if !trimmed.isEmpty { table[name.uppercased()] = (name, trimmed) }
        }
        self.table = table
        self.origin = origin
        self.daemonName = daemonName.uppercased()
    }

    /// The value of a knob, or nil when unset or empty.
    public subscript(_ name: String) -> String? { table[name.uppercased()]?.value }

    /// The knob's name as the configuration spells it (nil when unset).
    public func origin(of name: String) -> String? { table[name.uppercased()]?.name }

    /// Whether a knob is set to a non-empty value.
    public func isSet(_ name: String) -> Bool { table[name.uppercased()] != nil }

    /// Every knob name (upper case) in the snapshot.
    public var names: [String] { table.keys.sorted() }

    /// A list knob split as the reference credmon splits it: on commas and white space, empty items dropped.
    public func list(_ name: String) -> [String]? {
        self[name].map(Self.splitList)
    }

    static func splitList(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }

    /// A boolean knob; `.invalid` carries the raw text (HTCondor would evaluate it and fall back to the default).
    public func boolean(_ name: String) -> BooleanKnob {
        guard let text = self[name] else { return .unset }
        return CondorBoolean.parse(text).map(BooleanKnob.value) ?? .invalid(text)
    }

    public enum BooleanKnob: Sendable, Equatable {
        case unset, value(Bool), invalid(String)
    }

    /// Per-provider lookup of the Local/Client credmons: `<T>_CREDMON_<P>_<X>`, then `<T>_CREDMON_<X>`.
    /// Returns the knob that answered and its value.
    public func perProvider(_ type: String, provider: String, _ setting: String) -> (knob: String, value: String)? {
        for knob in ["\(type)_CREDMON_\(provider)_\(setting)", "\(type)_CREDMON_\(setting)"] {
            if let value = self[knob] { return (origin(of: knob) ?? knob, value) }
        }
        return nil
    }

    /// Services with a `<P>_CLIENT_ID` knob, as lower-case service names (users write `use_oauth_services = box`
    /// while admins write `BOX_CLIENT_ID`; credd looks the knob up case-insensitively). Knobs of the Local/Client/
    /// Pelican credmons (`CLIENT_CREDMON_CLIENT_ID`, `<S>_PELICAN_CLIENT_ID`) are not OAuth services.
    public var servicesWithClientID: [String] {
        var services = Set<String>()
        for (upper, _) in table where upper.hasSuffix("_CLIENT_ID") {
            let service = String(upper.dropLast("_CLIENT_ID".count))
            if service.isEmpty || service.hasPrefix("CLIENT_CREDMON") || service.hasPrefix("LOCAL_CREDMON") || service.hasSuffix("_PELICAN") { continue }
            services.insert(service.lowercased())
        }
        return services.sorted()
    }

    // MARK: Locations

    /// `SEC_CREDENTIAL_DIRECTORY_OAUTH`, else `SEC_CREDENTIAL_DIRECTORY` (contract §B.1.1).
    public var credentialDirectory: String? {
        self["SEC_CREDENTIAL_DIRECTORY_OAUTH"] ?? self["SEC_CREDENTIAL_DIRECTORY"]
    }

    /// `<NAME>_LOG`, else `$(LOG)/<Camel>Log` as HTCondor's credmon computes it (contract §A.2.1).
    public var logFile: String? {
        if let explicit = self["\(daemonName)_LOG"] { return explicit }
        guard let directory = self["LOG"] else { return nil }
        let camel = daemonName.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined()
        return directory + "/" + camel + "Log"
    }

    /// `<NAME>_DEBUG`: HTCondor's dprintf flags for this daemon (contract §A.2.1, §E.1), or nil.
    public var debugFlags: String? { self[Self.debugKnob(daemonName: daemonName)] }

    /// The name of the debug-flags knob of daemon `daemonName` (`<NAME>_DEBUG`); not in every dump, so asked alone.
    public static func debugKnob(daemonName: String) -> String { "\(daemonName.uppercased())_DEBUG" }

    /// `CREDMON_WEB_PREFIX`, else `https://<FULL_HOSTNAME>` (what condor_credd hands to users).
    public var webPrefix: String? {
        self["CREDMON_WEB_PREFIX"] ?? self["FULL_HOSTNAME"].map { "https://\($0)" }
    }

    /// `CREDMON_ALLOW_SPECIAL_CHAR_NAMES` (an invalid value counts as its default, false).
    public var allowSpecialCharacterNames: Bool {
        if case .value(let value) = boolean("CREDMON_ALLOW_SPECIAL_CHAR_NAMES") { return value }
        return false
    }

    /// `CREDMON_OAUTH_TOKEN_MINIMUM` (seconds) and `CREDMON_OAUTH_TOKEN_REFRESH` (default MINIMUM/2), for Vault.
    public var vaultTokenMinimum: Int? { self["CREDMON_OAUTH_TOKEN_MINIMUM"].flatMap { Int($0) } }
    public var vaultTokenRefresh: Int? { self["CREDMON_OAUTH_TOKEN_REFRESH"].flatMap { Int($0) } ?? vaultTokenMinimum.map { $0 / 2 } }
}

extension CondorKnobs: Equatable {
    public static func == (lhs: CondorKnobs, rhs: CondorKnobs) -> Bool {
        lhs.origin == rhs.origin && lhs.daemonName == rhs.daemonName
            && lhs.table.mapValues { "\($0.name)=\($0.value)" } == rhs.table.mapValues { "\($0.name)=\($0.value)" }
    }
}

extension CondorKnobs {
    /// The knob of `credmon run --metrics-listen`.
    public static let metricsListenKnob = "CREDMON_METRICS_LISTEN"
    /// The knob of `credmon run --metrics-textfile`.
    public static let metricsTextfileKnob = "CREDMON_METRICS_TEXTFILE"

    /// `CREDMON_METRICS_LISTEN`: where the daemon serves `/metrics` (`HOST:PORT`), or nil.
    public var metricsListen: String? { self[Self.metricsListenKnob] }

    /// `CREDMON_METRICS_TEXTFILE`: the node_exporter textfile written after every pass, or nil.
    public var metricsTextfile: String? { self[Self.metricsTextfileKnob] }
}

extension CondorKnobs {
    /// The knob of `credmon run --notify-command`: the notification command, its words separated by spaces.
    public static let notifyCommandKnob = "CREDMON_NOTIFY_COMMAND"
    /// The knob of `credmon run --expiry-warnings`: seconds before an expiry at which to warn.
    public static let expiryWarningsKnob = "CREDMON_EXPIRY_WARNINGS"
    /// The knob of `credmon run --metrics-per-user`.
    public static let metricsPerUserKnob = "CREDMON_METRICS_PER_USER"
}
