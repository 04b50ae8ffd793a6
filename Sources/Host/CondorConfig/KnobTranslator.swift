import Engine
import Foundation

/// Translates HTCondor's provider knobs (contract §E.2–E.4) into ``KnobFragment``s, one per service that
/// condor_credd sorts as a local issuer or an OAuth2 service, plus notes on services Credmon does not serve.
public struct KnobTranslator: Sendable {
    public let knobs: CondorKnobs
    public let sorter: CredSorter

    public init(knobs: CondorKnobs) {
        self.knobs = knobs
        self.sorter = CredSorter(knobs: knobs)
    }

    /// The result: fragments for the services Credmon serves, and findings about the others.
    public struct Translation: Sendable {
        public var fragments: [KnobFragment]
        /// Services HTCondor routes to a credmon role Credmon does not implement (client credentials, Vault, Pelican).
        public var unserved: [(service: String, type: CredSorter.CredentialType)]
    }

    public func translate() -> Translation {
        var translation = Translation(fragments: [], unserved: [])
        for (service, type) in sorter.namedServices {
            switch type {
            case .localIssuer: translation.fragments.append(localIssuer(service))
            case .oauth2: translation.fragments.append(oauth(service))
            case .localClient, .vault, .pelican: translation.unserved.append((service, type))
            case .unknown: break
            }
        }
        return translation
    }

    // MARK: Local issuer (LOCAL_CREDMON_[<P>_]X)

    /// Reference defaults that differ from a fragment's defaults, so they are written out explicitly.
    static let referencePrivateKey = "/etc/condor/scitokens-private.pem"
    static let referencePublicKey = "/etc/condor/scitokens.pem"

    func localIssuer(_ service: String) -> KnobFragment {
        var fragment = KnobFragment(service: service, kind: "local-scitoken")
        let file = KnobFragment.file(service: service, origin: knobs.origin)
        func knobPattern(_ setting: String) -> String { "LOCAL_CREDMON_\(service)_\(setting) or LOCAL_CREDMON_\(setting)" }
        func lookup(_ setting: String) -> (knob: String, value: String)? { knobs.perProvider("LOCAL", provider: service, setting) }
        func add(_ key: String, _ value: KnobFragment.Value, _ source: String) {
            fragment.entries.append(.init(key: key, value: value, source: source))
        }
        let keys: [(key: String, setting: String)] = [
            ("issuer", "ISSUER"), ("private_key", "PRIVATE_KEY"), ("key_id", "KEY_ID"), ("algorithm", "PRIVATE_KEY_ALGORITHM"),
            ("lifetime", "TOKEN_LIFETIME"), ("audience", "TOKEN_AUDIENCE"), ("profile", "TOKEN_VERSION"),
            ("scopes", "AUTHZ_TEMPLATE"), ("group_scopes", "AUTHZ_GROUP_TEMPLATE"), ("group_mapfile", "AUTHZ_GROUP_MAPFILE"),
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
        if let (knob, _) = lookup("AUTHZ_TEMPLATE_EXPR") {
            fragment.problems.append(ConfigurationError(
                file: file, key: knob, problem: "ClassAd scope expressions are not supported by Credmon",
                fix: "put the scopes in LOCAL_CREDMON_AUTHZ_TEMPLATE ({username} is replaced) or in the fragment's scopes, and remove \(knob)"))
        }
        if let (knob, value) = lookup("AUTHZ_GROUP_TEMPLATE") { add("group_scopes", .string(value), knob) }
        if let (knob, value) = lookup("AUTHZ_GROUP_MAPFILE") { add("group_mapfile", .string(value), knob) }
        if let (knob, value) = lookup("AUTHZ_GROUP_REQUIREMENT") { add("group_requirement", .string(value), knob) }
        if let (knob, value) = lookup("TOKEN_USE_JSON") {
            if let flag = CondorBoolean.parse(value) {
                add("use_json", .boolean(flag), knob)
            } else {
                let (problem, fix) = CondorBoolean.problem(knob: knob, value: value)
                fragment.problems.append(ConfigurationError(file: file, key: knob, problem: problem, fix: fix))
            }
        }
        return fragment
    }

    // MARK: OAuth2 web services (<S>_CLIENT_ID, …)

    /// Preset kinds by service name and by token-URL host (the reference recognises providers by token URL).
    static let presetKinds: [(kind: String, hostSuffix: String)] = [
        ("box", ".box.com"), ("gdrive", ".googleapis.com"), ("onedrive", ".microsoftonline.com"),
        ("dropbox", ".dropboxapi.com"), ("dropbox", ".dropbox.com"), ("cilogon", ".cilogon.org"),
    ]

    /// The provider kind of an OAuth service, as HTCondor recognises it: by its token URL's host, else by its name.
    public static func kind(service: String, tokenURL: String?) -> String {
        if let tokenURL, let host = URL(string: tokenURL)?.host?.lowercased() {
            return presetKinds.first { host.hasSuffix($0.hostSuffix) || "." + host == $0.hostSuffix }?.kind ?? "oauth2"
        }
        let lower = service.lowercased()
        return presetKinds.contains { $0.kind == lower } ? lower : "oauth2"
    }

    func oauth(_ service: String) -> KnobFragment {
        func knob(_ suffix: String) -> (name: String, value: String)? {
            let name = "\(service)_\(suffix)"
            return knobs[name].map { (knobs.origin(of: name) ?? name.uppercased(), $0) }
        }
        var fragment = KnobFragment(service: service, kind: Self.kind(service: service, tokenURL: knob("TOKEN_URL")?.value))
        let keys = [("client_id", "CLIENT_ID"), ("client_secret_file", "CLIENT_SECRET_FILE"),
                    ("token_url", "TOKEN_URL"), ("authorization_url", "AUTHORIZATION_URL")]
        for (key, suffix) in keys {
            fragment.knobForKey[key] = "\(service.uppercased())_\(suffix)"
            if let (name, value) = knob(suffix) { fragment.entries.append(.init(key: key, value: .string(value), source: name)) }
        }
        if let (name, value) = knob("RETURN_URL_SUFFIX") {
            fragment.notes.append("\(name) = \(value) stays in HTCondor's configuration: condor_credd builds the redirect URL from it.")
        }
        return fragment
    }
}
