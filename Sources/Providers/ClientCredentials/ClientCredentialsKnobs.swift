import Engine

/// HTCondor's client-credentials knobs (`CLIENT_CREDMON_[<P>_]X`, contract §E.5: the local issuer's knobs with the
/// `CLIENT_` prefix, plus the client and its endpoint) as `kind: client-credentials` fragment keys.
enum ClientCredentialsKnobs {
    static func fragment(service: String, knobs: CondorKnobs) -> KnobFragment {
        var fragment = KnobFragment(service: service, kind: ClientCredentialsKind.kind, credentialType: .localClient)
        let file = KnobFragment.file(service: service, origin: knobs.origin)
        func lookup(_ setting: String) -> (knob: String, value: String)? { knobs.perProvider("CLIENT", provider: service, setting) }
        func problem(_ knob: String, _ text: String, fix: String) {
            fragment.problems.append(ConfigurationError(file: file, key: knob, problem: text, fix: fix))
        }
        let keys: [(key: String, setting: String)] = [
            ("client_id", "CLIENT_ID"), ("client_secret_file", "CLIENT_SECRET_FILE"), ("token_url", "TOKEN_URL"),
            ("discovery_cache", "TOKEN_ENDPOINT_LIFETIME"), ("issuer", "ISSUER"), ("scopes", "AUTHZ_TEMPLATE"),
            ("audience", "TOKEN_AUDIENCE"), ("profile", "TOKEN_VERSION"), ("lifetime_fallback", "TOKEN_LIFETIME"),
            ("use_json", "TOKEN_USE_JSON"),
        ]
        for (key, setting) in keys { fragment.knobForKey[key] = "CLIENT_CREDMON_\(service)_\(setting) or CLIENT_CREDMON_\(setting)" }

        for (key, setting) in [("client_id", "CLIENT_ID"), ("client_secret_file", "CLIENT_SECRET_FILE"), ("token_url", "TOKEN_URL"),
                               ("scopes", "AUTHZ_TEMPLATE"), ("profile", "TOKEN_VERSION")] {
            if let (knob, value) = lookup(setting) { fragment.add(key, .string(value), source: knob) }
        }
        if let (knob, value) = lookup("ISSUER") {
            fragment.add("issuer", .string(value), source: knob)
        } else if lookup("TOKEN_URL") == nil, let host = knobs["FULL_HOSTNAME"] {
            fragment.add("issuer", .string("https://\(host)"), source: "HTCondor default https://$(FULL_HOSTNAME)")
        }
        for (key, setting) in [("discovery_cache", "TOKEN_ENDPOINT_LIFETIME"), ("lifetime_fallback", "TOKEN_LIFETIME")] {
            guard let (knob, value) = lookup(setting) else { continue }
            if let seconds = Int(value) {
                fragment.add(key, .integer(seconds), source: knob)
            } else {
                problem(knob, "'\(value)' is not a whole number of seconds", fix: "write e.g. \(knob) = \(key == "discovery_cache" ? 3600 : 1200)")
            }
        }
        if let (knob, value) = lookup("TOKEN_AUDIENCE") {
            fragment.add("audience", .list(value.split(whereSeparator: \.isWhitespace).map(String.init)), source: knob)
        }
        if let (knob, value) = lookup("TOKEN_USE_JSON") {
            if let flag = CondorBoolean.parse(value) {
                fragment.add("use_json", .boolean(flag), source: knob)
            } else {
                let (text, fix) = CondorBoolean.problem(knob: knob, value: value, default: true)
                fragment.problems.append(ConfigurationError(file: file, key: knob, problem: text, fix: fix, severity: .warning))
            }
        }
        for setting in ["AUTHZ_TEMPLATE_EXPR", "AUTHZ_GROUP_TEMPLATE", "AUTHZ_GROUP_MAPFILE", "AUTHZ_GROUP_REQUIREMENT"] {
            if let (knob, _) = lookup(setting) {
                problem(knob, "is not supported for client-credentials tokens (the token server decides what a token grants)",
                        fix: "put the scopes in CLIENT_CREDMON_AUTHZ_TEMPLATE ({username} is replaced) and remove \(knob)")
            }
        }
        for setting in ["PRIVATE_KEY", "KEY_ID", "PRIVATE_KEY_ALGORITHM"] {
            if let (knob, _) = lookup(setting) {
                fragment.notes.append("\(knob) is not used: client-credentials tokens are signed by the token server.")
            }
        }
        return fragment
    }
}
