import Engine

/// HTCondor's Vault knobs (contract §E.6) as `kind: vault` fragment keys.
enum VaultKnobs {
    static func fragment(service: String, knobs: CondorKnobs) -> KnobFragment {
        var fragment = KnobFragment(service: service, kind: VaultKind.kind, credentialType: .vault)
        let file = KnobFragment.file(service: service, origin: knobs.origin)
        let keys = [("minimum_seconds", "CREDMON_OAUTH_TOKEN_MINIMUM"), ("refresh_interval", "CREDMON_OAUTH_TOKEN_REFRESH"),
                    ("trusted_hosts", "TRUSTED_VAULT_HOSTS"), ("ca_file", "AUTH_SSL_CLIENT_CAFILE"),
                    ("ca_directory", "AUTH_SSL_CLIENT_CADIR")]
        for (key, knob) in keys { fragment.knobForKey[key] = knob }
        for (key, knob) in keys.prefix(2) {
            guard let value = knobs[knob] else { continue }
            if let seconds = Int(value) {
                fragment.add(key, .integer(seconds), source: knobs.origin(of: knob) ?? knob)
            } else {
                fragment.problems.append(ConfigurationError(file: file, key: knob, problem: "'\(value)' is not a whole number of seconds",
                                                            fix: "write e.g. \(knob) = 2400"))
            }
        }
        if let hosts = knobs.list("TRUSTED_VAULT_HOSTS"), !hosts.isEmpty {
            fragment.add("trusted_hosts", .list(hosts), source: knobs.origin(of: "TRUSTED_VAULT_HOSTS") ?? "TRUSTED_VAULT_HOSTS")
        }
        for (key, knob) in keys.suffix(2) {
            if let value = knobs[knob] { fragment.add(key, .string(value), source: knobs.origin(of: knob) ?? knob) }
        }
        if service == ProviderTable.wildcard {
            fragment.notes.append("VAULT_CREDMON_PROVIDER_NAMES is * (its default): this provider serves every service no other provider serves")
        }
        return fragment
    }
}
