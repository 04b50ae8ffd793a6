import Engine

/// HTCondor's knobs of an OAuth2 web service (`<S>_CLIENT_ID`, …, contract §E.3) as fragment keys.
enum OAuthKnobs {
    static func fragment(service: String, kind: String, knobs: CondorKnobs) -> KnobFragment {
        func knob(_ suffix: String) -> (name: String, value: String)? {
            let name = "\(service)_\(suffix)"
            return knobs[name].map { (knobs.origin(of: name) ?? name.uppercased(), $0) }
        }
        var fragment = KnobFragment(service: service, kind: kind, credentialType: .oauth2)
        let keys = [("client_id", "CLIENT_ID"), ("client_secret_file", "CLIENT_SECRET_FILE"),
                    ("token_url", "TOKEN_URL"), ("authorization_url", "AUTHORIZATION_URL")]
        for (key, suffix) in keys {
            fragment.knobForKey[key] = "\(service.uppercased())_\(suffix)"
            if let (name, value) = knob(suffix) { fragment.add(key, .string(value), source: name) }
        }
        // HTCondor's credmon never revokes (contract §B.3.5: condor_credd sweeps the files of users without jobs, who
        // stay logged in at the provider); a knob-configured service keeps that until the admin opts in.
        fragment.add("revoke_on_removal", .boolean(false), source: "HTCondor's credmon never revokes; set true to revoke when condor_credd removes a credential")
        if let (name, value) = knob("RETURN_URL_SUFFIX") {
            fragment.notes.append("\(name) = \(value) stays in HTCondor's configuration: condor_credd builds the redirect URL from it.")
        }
        return fragment
    }
}
