import Engine
import Foundation

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

    public init(knobs: CondorKnobs, effective: EffectiveProviders, credentialDirectory: String, webUser: String = "condor") {
        self.knobs = knobs
        self.effective = effective
        self.credentialDirectory = credentialDirectory
        self.webUser = webUser
    }

    static let oauthKinds: Set<String> = ["oauth2", "cilogon", "box", "gdrive", "onedrive", "dropbox"]

    public func findings() -> [CondorFinding] {
        let sorter = effective.sorter ?? CredSorter(knobs: knobs)
        var findings: [CondorFinding] = []
        if case .invalid(let text) = knobs.boolean("CREDMON_ALLOW_SPECIAL_CHAR_NAMES") {
            let (problem, fix) = CondorBoolean.problem(knob: "CREDMON_ALLOW_SPECIAL_CHAR_NAMES", value: text)
            findings.append(.init(.error, service: nil, "CREDMON_ALLOW_SPECIAL_CHAR_NAMES: " + problem, fix: fix))
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
        // Every service credd knows as a local issuer needs a local provider, and the other way round.
        for (service, type) in sorter.namedServices where type == .localIssuer {
            guard let provider = effective.table.provider(for: service) else {
                findings.append(.init(.error, service: service, "condor_credd treats it as a local issuer, but Credmon has no provider for it; jobs will wait for a .use file that never comes",
                                      fix: "fix the errors above, or add a providers.d fragment of kind local-scitoken"))
                continue
            }
            if provider.profile.kind != "local-scitoken" {
                findings.append(.init(.error, service: service, "condor_credd treats it as a local issuer, but its Credmon provider is of kind \(provider.profile.kind)",
                                      fix: "remove it from LOCAL_CREDMON_PROVIDER_NAMES or change the fragment's kind"))
            }
        }
        for name in effective.table.names {
            guard let provider = effective.table.provider(for: name) else { continue }
            let type = sorter.sort(name)
            if provider.profile.kind == "local-scitoken" && type != .localIssuer {
                findings.append(.init(.error, service: name, "Credmon issues local tokens for it, but condor_credd treats it as \(type.rawValue) and will never write its .top",
                                      fix: "add \(name) to LOCAL_CREDMON_PROVIDER_NAMES"))
            }
            if Self.oauthKinds.contains(provider.profile.kind) && type != .oauth2 {
                findings.append(.init(.error, service: name, "Credmon refreshes it as an OAuth service, but condor_credd treats it as \(type.rawValue) and will not send users to the web login",
                                      fix: "set \(name.uppercased())_CLIENT_ID (and the other \(name.uppercased())_* knobs) in HTCondor's configuration"))
            }
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
            guard let provider = effective.table.provider(for: name), provider.profile.kind == "local-scitoken",
                  let publicKey = provider.profile.settings.first(where: { $0.key == "public_key" })?.value else { continue }
            if canRead(publicKey, directory: false) == false {
                findings.append(.init(.error, service: name, "the web app (user \(webUser)) cannot read the public key \(publicKey) it serves at /.well-known/jwks-uri",
                                      fix: "chmod 644 \(publicKey)"))
            }
        }
        return findings
    }
}
