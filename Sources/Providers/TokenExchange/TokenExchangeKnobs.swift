import Engine

/// HTCondor's Pelican knobs (contract §E.7) as `kind: token-exchange` fragment keys: `<S>_PELICAN_CLIENT_ID`,
/// `<S>_PELICAN_CLIENT_SECRET_FILE`, `<S>_PELICAN_TOKEN_URL`, `CREDMON_OAUTH_TOKEN_MINIMUM`, `PELICAN_CREDMON_CA_FILE`.
/// `PELICAN_CREDMON_TLS_SKIP_VERIFY` set to a true value is refused: Credmon never turns TLS verification off.
enum TokenExchangeKnobs {
    static func fragment(service: String, knobs: CondorKnobs) -> KnobFragment {
        var fragment = KnobFragment(service: service, kind: TokenExchangeKind.kind, credentialType: .pelican)
        let file = KnobFragment.file(service: service, origin: knobs.origin)
        let prefix = service.uppercased() + "_PELICAN_"
        let perService = [("client_id", "CLIENT_ID"), ("client_secret_file", "CLIENT_SECRET_FILE"), ("token_url", "TOKEN_URL")]
        for (key, suffix) in perService {
            let knob = prefix + suffix
            fragment.knobForKey[key] = knob
            if let value = knobs[knob] { fragment.add(key, .string(value), source: knobs.origin(of: knob) ?? knob) }
        }
        fragment.knobForKey["minimum_lifetime"] = "CREDMON_OAUTH_TOKEN_MINIMUM"
        fragment.knobForKey["ca_file"] = "PELICAN_CREDMON_CA_FILE"
        if let value = knobs["CREDMON_OAUTH_TOKEN_MINIMUM"] {
            let knob = knobs.origin(of: "CREDMON_OAUTH_TOKEN_MINIMUM") ?? "CREDMON_OAUTH_TOKEN_MINIMUM"
            if let seconds = Int(value) {
                fragment.add("minimum_lifetime", .integer(seconds), source: knob)
            } else {
                fragment.problems.append(ConfigurationError(file: file, key: knob, problem: "'\(value)' is not a whole number of seconds",
                                                            fix: "write e.g. \(knob) = 1200"))
            }
        }
        if let value = knobs["PELICAN_CREDMON_CA_FILE"] {
            fragment.add("ca_file", .string(value), source: knobs.origin(of: "PELICAN_CREDMON_CA_FILE") ?? "PELICAN_CREDMON_CA_FILE")
        }
        if let value = knobs["PELICAN_CREDMON_TLS_SKIP_VERIFY"] {
            let knob = knobs.origin(of: "PELICAN_CREDMON_TLS_SKIP_VERIFY") ?? "PELICAN_CREDMON_TLS_SKIP_VERIFY"
            // The reference disables verification for 1, true, yes or on (any case).
            if ["1", "true", "yes", "on"].contains(value.lowercased()) || CondorBoolean.parse(value) == true {
                fragment.problems.append(ConfigurationError(
                    file: file, key: knob, problem: "asks to turn TLS verification off, which Credmon never does (the client secret and the tokens travel on it)",
                    fix: "put the token server's CA certificate in a PEM file, set PELICAN_CREDMON_CA_FILE to it, and remove \(knob)"))
            }
        }
        return fragment
    }
}
