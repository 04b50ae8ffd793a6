import Engine
import FoundationEssentials
import Glibc

/// What `credmon check` tells an admin about the agreement between Credmon's provider table and what condor_credd
/// will do with the same HTCondor configuration.
public struct CondorFinding: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }
    public var severity: Severity
    public var service: String?
    public var message: String
    public var fix: String?

    public init(_ severity: Severity, service: String?, _ message: String, fix: String? = nil) {
        self.severity = severity
        self.service = service
        self.message = message
        self.fix = fix
    }

    public var description: String {
        "\(severity): " + (service.map { "service '\($0)': " } ?? "") + message + (fix.map { "; \($0)" } ?? "")
    }
}

/// Cross-checks the effective provider table with HTCondor's view (contract §C.0.3, §B.3.4, §D.1).
public struct CondorCrossCheck {
    public var knobs: CondorKnobs
    public var effective: EffectiveProviders
    public var credentialDirectory: String
    /// The account the web application runs as (`condor`).
    public var webUser: String
    public var catalog: KindCatalog

    public init(knobs: CondorKnobs, effective: EffectiveProviders, credentialDirectory: String, catalog: KindCatalog, webUser: String = "condor") {
        self.catalog = catalog
        self.knobs = knobs
        self.effective = effective
        self.credentialDirectory = credentialDirectory
        self.webUser = webUser
    }

    public func findings() -> [CondorFinding] {
        let sorter = effective.sorter ?? CredSorter(knobs: knobs)
        var findings: [CondorFinding] = []
        if case .invalid(let text) = knobs.boolean("CREDMON_ALLOW_SPECIAL_CHAR_NAMES") {
            let (problem, fix) = CondorBoolean.problem(knob: "CREDMON_ALLOW_SPECIAL_CHAR_NAMES", value: text, default: false)
            findings.append(.init(.warning, service: nil, "CREDMON_ALLOW_SPECIAL_CHAR_NAMES: " + problem, fix: fix))
        }
        for (service, file) in effective.overridden {
            findings.append(.init(.note, service: service, "the providers.d fragment \(file) wins over HTCondor's knobs for this service",
                                  fix: "once the fragment is right, remove the service's knobs from HTCondor's configuration"))
        }
        for name in sorter.overlaps {
            findings.append(.init(.warning, service: name, "appears in more than one *_CREDMON_PROVIDER_NAMES list; condor_credd treats it as \(sorter.sort(name).rawValue)"))
        }
        for (service, type) in effective.translation?.unserved ?? [] {
            findings.append(.init(.warning, service: service, "condor_credd treats it as a \(type.rawValue) service, which Credmon does not serve",
                                  fix: type == .vault ? "keep condor_credmon_vault running for Vault services" : "keep HTCondor's credmon for this service"))
        }
        // Every service credd sorts to a type Credmon serves needs a provider, and every provider's kind must serve
        // the type credd gives its name.
        for (service, type) in sorter.namedServices where !catalog.kinds(serving: type).isEmpty && effective.table.provider(for: service) == nil {
            let kinds = catalog.kinds(serving: type).map { $0.kind }.joined(separator: " or ")
            let effect = type == .oauth2 ? "its tokens will not be refreshed" : "jobs will wait for a .use file that never comes"
            findings.append(.init(.error, service: service, "condor_credd treats it as \(Self.article(type)) \(type.rawValue) service, but Credmon has no provider for it; \(effect)",
                                  fix: "fix the errors above, or add a providers.d fragment of kind \(kinds)"))
        }
        if effective.table.entries[ProviderTable.wildcard] != nil {
            findings.append(.init(.note, service: ProviderTable.wildcard, "every .top of a service no other provider serves is read as a Vault credential (VAULT_CREDMON_PROVIDER_NAMES is * or unset, as in HTCondor); .top files that are not Vault's are left alone",
                                  fix: "set VAULT_CREDMON_PROVIDER_NAMES to the Vault services to limit it"))
        }
        for name in effective.table.names where name != ProviderTable.wildcard {
            guard let provider = effective.table.provider(for: name), let kind = catalog.kind(named: provider.profile.kind) else { continue }
            let type = sorter.sort(name)
            guard kind.credentialType != type else { continue }
            findings.append(.init(.error, service: name, "Credmon serves it as \(Self.article(kind.credentialType)) \(kind.credentialType.rawValue) service (kind \(kind.kind)), but condor_credd treats it as \(type.rawValue)"
                                  + (kind.credentialType == .oauth2 ? " and will not send users to the web login" : " and will never write its .top"),
                                  fix: Self.routingFix(service: name, wanted: kind.credentialType, actual: type)))
        }
        for (service, type) in sorter.namedServices where type == .oauth2 {
            findings.append(contentsOf: oauthFindings(service))
        }
        findings.append(contentsOf: webAppReadability())
        return findings
    }

    /// What condor_credd needs to write a usable key file for a web-login service (contract §B.3.4).
    func oauthFindings(_ service: String) -> [CondorFinding] {
        var findings: [CondorFinding] = []
        let upper = service.uppercased()
        if !knobs.isSet("\(service)_CLIENT_ID") {
            findings.append(.init(.error, service: service, "OAuth service without \(upper)_CLIENT_ID", fix: "set \(upper)_CLIENT_ID"))
        }
        if let file = knobs["\(service)_CLIENT_SECRET_FILE"] {
            var st = stat()
            if lstat(file, &st) != 0 {
                findings.append(.init(.error, service: service, "\(upper)_CLIENT_SECRET_FILE \(file) does not exist", fix: "write the client secret there (owner root, mode 0600)"))
            } else if st.st_mode & 0o077 != 0 {
                findings.append(.init(.error, service: service, "\(upper)_CLIENT_SECRET_FILE \(file) is readable by group or others; condor_credd refuses it", fix: "chmod 600 \(file)"))
            }
        } else {
            findings.append(.init(.error, service: service, "OAuth service without \(upper)_CLIENT_SECRET_FILE: condor_credd fails every submission that asks for it (\"Failed to securely read client secret\")",
                                  fix: "set \(upper)_CLIENT_SECRET_FILE to a root-owned file of mode 0600 holding the client secret"))
        }
        let expected = "/return/\(service)"
        if let suffix = knobs["\(service)_RETURN_URL_SUFFIX"] {
            if !suffix.hasSuffix(expected) {
                findings.append(.init(.error, service: service, "the redirect URL \((knobs.webPrefix ?? "") + suffix) does not end in \(expected); the web app will never see the login complete",
                                      fix: "set \(upper)_RETURN_URL_SUFFIX = \(expected) and register that redirect URL with the provider"))
            }
        } else {
            findings.append(.init(.error, service: service, "\(upper)_RETURN_URL_SUFFIX is not set: the redirect URL is the bare prefix and the login never completes",
                                  fix: "set \(upper)_RETURN_URL_SUFFIX = \(expected)"))
        }
        return findings
    }

    /// The web app runs as `condor`: it reads key files in the credential directory and serves local issuers'
    /// public keys.
    func webAppReadability() -> [CondorFinding] {
        guard let account = getpwnam(webUser) else {
            return [.init(.note, service: nil, "no '\(webUser)' account here: skipped the checks of what the web app can read")]
        }
        let uid = account.pointee.pw_uid, gid = account.pointee.pw_gid
        var findings: [CondorFinding] = []
        func canRead(_ path: String, directory: Bool) -> Bool? {
            var st = stat()
            guard stat(path, &st) == 0 else { return nil }
            let need: mode_t = directory ? 0o5 : 0o4
            if uid == 0 || st.st_uid == uid { return st.st_mode & (need << 6) == need << 6 }
            if st.st_gid == gid { return st.st_mode & (need << 3) == need << 3 }
            return st.st_mode & need == need
        }
        if canRead(credentialDirectory, directory: true) == false {
            findings.append(.init(.error, service: nil, "the web app (user \(webUser)) cannot read the credential directory \(credentialDirectory), so it cannot read the key files condor_credd writes",
                                  fix: "chgrp condor \(credentialDirectory); chmod 2770 \(credentialDirectory)"))
        }
        for name in effective.table.names {
            guard let provider = effective.table.provider(for: name), catalog.kind(named: provider.profile.kind)?.webRole == .publishesIssuer,
                  let publicKey = provider.profile.settings.first(where: { $0.key == "public_key" })?.value else { continue }
            if canRead(publicKey, directory: false) == false {
                findings.append(.init(.error, service: name, "the web app (user \(webUser)) cannot read the public key \(publicKey) it serves at /.well-known/jwks-uri",
                                      fix: "chmod 644 \(publicKey)"))
            }
        }
        return findings
    }

    static func article(_ type: CondorCredentialType) -> String {
        type == .oauth2 ? "an" : "a"
    }

    /// How to make condor_credd route `service` as `wanted` instead of `actual`.
    static func routingFix(service: String, wanted: CondorCredentialType, actual: CondorCredentialType) -> String {
        let upper = service.uppercased()
        let move: String
        switch wanted {
        case .localIssuer: move = "add \(service) to LOCAL_CREDMON_PROVIDER_NAMES"
        case .localClient: move = "add \(service) to CLIENT_CREDMON_PROVIDER_NAMES"
        case .oauth2: move = "set \(upper)_CLIENT_ID (and the other \(upper)_* knobs) in HTCondor's configuration"
        case .vault: move = "add \(service) to VAULT_CREDMON_PROVIDER_NAMES"
        case .pelican: move = "add \(service) to PELICAN_CREDMON_PROVIDER_NAMES"
        case .unknown: move = "remove the fragment"
        }
        return actual == .unknown ? move : move + ", or change the fragment's kind to one that serves \(actual.rawValue) services"
    }
}
