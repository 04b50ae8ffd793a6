import Engine

/// HTCondor's local-issuer knobs (`LOCAL_CREDMON_[<P>_]X`, contract §E.4) as `kind: local-scitoken` fragment keys.
enum LocalIssuerKnobs {
    /// Reference defaults that differ from a fragment's defaults, so they are written out explicitly.
    static let referencePrivateKey = "/etc/condor/scitokens-private.pem"
    static let referencePublicKey = "/etc/condor/scitokens.pem"

    static func fragment(service: String, knobs: CondorKnobs) -> KnobFragment {
        var fragment = KnobFragment(service: service, kind: LocalSciTokenKind.kind, credentialType: .localIssuer)
        let file = KnobFragment.file(service: service, origin: knobs.origin)
        func knobPattern(_ setting: String) -> String { "LOCAL_CREDMON_\(service)_\(setting) or LOCAL_CREDMON_\(setting)" }
        func lookup(_ setting: String) -> (knob: String, value: String)? { knobs.perProvider("LOCAL", provider: service, setting) }
        func add(_ key: String, _ value: KnobFragment.Value, _ source: String) {
            fragment.add(key, value, source: source)
        }
        let keys: [(key: String, setting: String)] = [
            ("issuer", "ISSUER"), ("private_key", "PRIVATE_KEY"), ("key_id", "KEY_ID"), ("algorithm", "PRIVATE_KEY_ALGORITHM"),
            ("lifetime", "TOKEN_LIFETIME"), ("audience", "TOKEN_AUDIENCE"), ("profile", "TOKEN_VERSION"),
            ("scopes", "AUTHZ_TEMPLATE"), ("scopes_expression", "AUTHZ_TEMPLATE_EXPR"), ("group_scopes", "AUTHZ_GROUP_TEMPLATE"), ("group_mapfile", "AUTHZ_GROUP_MAPFILE"),
            ("group_requirement", "AUTHZ_GROUP_REQUIREMENT"), ("use_json", "TOKEN_USE_JSON"),
        ]
        for (key, setting) in keys { fragment.knobForKey[key] = knobPattern(setting) }
        fragment.knobForKey["public_key"] = "LOCAL_CREDMON_PUBLIC_KEY"

        if let (knob, value) = lookup("ISSUER") {
            add("issuer", .string(value), knob)
        } else if let host = knobs["FULL_HOSTNAME"] {
            add("issuer", .string("https://\(host)"), "HTCondor default https://$(FULL_HOSTNAME)")
        }
        let perProviderKey = knobs["LOCAL_CREDMON_\(service)_PRIVATE_KEY"] != nil
        if let (knob, value) = lookup("PRIVATE_KEY") {
            add("private_key", .string(value), knob)
        } else {
            add("private_key", .string(Self.referencePrivateKey), "HTCondor default of LOCAL_CREDMON_PRIVATE_KEY")
        }
        if perProviderKey, case .string(let privateKey)? = fragment.value(of: "private_key") {
            // The reference writes only the global public key; a per-provider key's public half goes beside it.
            let publicKey = privateKey.hasSuffix("-private.pem") ? String(privateKey.dropLast("-private.pem".count)) + ".pem" : privateKey + ".pub"
            add("public_key", .string(publicKey), "beside \(knobs.origin(of: "LOCAL_CREDMON_\(service)_PRIVATE_KEY") ?? "the private key")")
        } else {
            if let value = knobs["LOCAL_CREDMON_PUBLIC_KEY"] {
                add("public_key", .string(value), knobs.origin(of: "LOCAL_CREDMON_PUBLIC_KEY") ?? "LOCAL_CREDMON_PUBLIC_KEY")
            } else {
                add("public_key", .string(Self.referencePublicKey), "HTCondor default of LOCAL_CREDMON_PUBLIC_KEY")
            }
        }
        if let (knob, value) = lookup("KEY_ID") { add("key_id", .string(value), knob) }
        if let (knob, value) = lookup("PRIVATE_KEY_ALGORITHM") { add("algorithm", .string(value.uppercased()), knob) }
        if let (knob, value) = lookup("TOKEN_LIFETIME") {
            if let seconds = Int(value) {
                add("lifetime", .integer(seconds), knob)
            } else {
                fragment.problems.append(ConfigurationError(file: file, key: knob, problem: "'\(value)' is not a whole number of seconds",
                                                            fix: "write e.g. \(knob) = 1200"))
            }
        }
        if let (knob, value) = lookup("TOKEN_AUDIENCE") {
            add("audience", .list(value.split(whereSeparator: \.isWhitespace).map(String.init)), knob)
        }
        if let (knob, value) = lookup("TOKEN_VERSION") { add("profile", .string(value), knob) }
        if let (knob, value) = lookup("AUTHZ_TEMPLATE") { add("scopes", .string(value), knob) }
        if let (knob, value) = lookup("AUTHZ_TEMPLATE_EXPR") { add("scopes_expression", .string(value), knob) }
        if let (knob, value) = lookup("AUTHZ_GROUP_TEMPLATE") { add("group_scopes", .string(value), knob) }
        if let (knob, value) = lookup("AUTHZ_GROUP_MAPFILE") { add("group_mapfile", .string(value), knob) }
        if let (knob, value) = lookup("AUTHZ_GROUP_REQUIREMENT") { add("group_requirement", .string(value), knob) }
        if let (knob, value) = lookup("TOKEN_USE_JSON") {
            if let flag = CondorBoolean.parse(value) {
                add("use_json", .boolean(flag), knob)
            } else {
                let (problem, fix) = CondorBoolean.problem(knob: knob, value: value, default: true)
                fragment.problems.append(ConfigurationError(file: file, key: knob, problem: problem, fix: fix, severity: .warning))
            }
        }
        return fragment
    }
}
