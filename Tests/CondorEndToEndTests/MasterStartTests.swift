import Foundation
import Glibc
import Testing

/// The real `credmon` binary started as condor_master starts it: as root, with no arguments, `CONDOR_INHERIT` and
/// `CONDOR_CONFIG` in the environment, HTCondor's configuration written as a site writes it.
@Suite("Started by condor_master", .serialized)
struct MasterStartTests {
    /// A site's configuration: `use feature : OAUTH`, one local issuer, plus `extra` lines.
    private static func site(_ label: String, _ extra: String = "") throws -> (TemporarySite, String) {
        let site = try TemporarySite(label)
        let config = site.url.appendingPathComponent("condor_config")
        try """
        LOG = /var/log/condor
        use feature : OAUTH
        LOCAL_CREDMON_PROVIDER_NAMES = scitokens
        LOCAL_CREDMON_TOKEN_AUDIENCE = https://storage.example.org
        \(extra)
        """.write(to: config, atomically: true, encoding: .utf8)
        return (site, config.path)
    }

    private static func harness(_ label: String, config: String) throws -> CondorHarness {
        let condor = try CondorHarness(label: label, fixture: "multi-issuer", configFile: config)
        condor.extraEnvironment["CONDOR_INHERIT"] = CondorHarness.inheritValue
        return condor
    }

    @Test("CREDMON_OAUTH.X overrides X: the configuration is read as subsystem CREDMON_OAUTH, on every condor_config_val call")
    func subsystemPrefixedKnob() throws {
        let (site, config) = try Self.site("subsystem", """
        LOCAL_CREDMON_TOKEN_LIFETIME = 1200
        CREDMON_OAUTH.LOCAL_CREDMON_TOKEN_LIFETIME = 600
        """)
        let condor = try Self.harness("subsystem", config: config)
        condor.logConfigValCalls()
        try condor.storeLocalCredential(user: "alice", token: "scitokens")
        try condor.startDaemon()
        #expect(eventually(timeout: 30) { condor.contents("alice/scitokens.use") != nil })
        #expect(condor.stopDaemon() == 0)

        let json = try #require(condor.contents("alice/scitokens.use"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let accessToken = try #require(object["access_token"] as? String)
        let token = try #require(claims(ofJWT: accessToken))
        let lifetime = (token["exp"] as? Int).flatMap { exp in (token["iat"] as? Int).map { exp - $0 } }
        #expect(lifetime == 600, "\(token)")

        // credmon check and import-condor-config read it the same way.
        let check = try condor.credmon(["check"])
        #expect(check.output.contains("-subsystem CREDMON_OAUTH"), "\(check.output)")
        let imported = try condor.credmon(["import-condor-config", "--out", condor.root.appendingPathComponent("imported").path])
        #expect(imported.status == 0, "\(imported.output)")
        let fragment = try String(contentsOf: condor.root.appendingPathComponent("imported/scitokens.yaml"), encoding: .utf8)
        #expect(fragment.contains("600"), "\(fragment)")

        let calls = condor.configValCalls
        #expect(calls.count >= 6, "\(calls)")
        #expect(calls.allSatisfy { $0.hasPrefix("-subsystem CREDMON_OAUTH ") }, "\(calls)")
        #expect(calls.contains { $0.contains("-dump -expand") }, "\(calls)")
        withExtendedLifetime(site) {}
    }

    @Test("CONDOR_INHERIT set but condor_config_val nowhere to be found: exit 1 naming condor_config_val, no ./.credmon",
          .enabled(if: !["/usr/bin", "/usr/local/bin", "/opt/condor/bin", "/bin"].contains {
              FileManager.default.isExecutableFile(atPath: "\($0)/condor_config_val")
          }))
    func noConfigValUnderMaster() throws {
        let (site, config) = try Self.site("missing")
        let condor = try Self.harness("missing", config: config)
        var environment = condor.environment
        environment["PATH"] = "/usr/bin:/bin"
        let working = site.url.appendingPathComponent("cwd")
        try FileManager.default.createDirectory(at: working, withIntermediateDirectories: true)

        let result = try condor.credmon([], environment: environment, directory: working)
        #expect(result.status != 0, "\(result.output)")
        #expect(result.output.contains("condor_config_val"), "\(result.output)")
        #expect(result.output.contains("CONDOR_INHERIT"), "\(result.output)")
        #expect(result.output.contains("--condor-config-val"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: working.appendingPathComponent(".credmon").path))
        #expect((try FileManager.default.contentsOfDirectory(atPath: working.path)).isEmpty)

        // CONDOR_CONFIG alone is enough to require HTCondor's configuration; `credmon check` says so too.
        environment["CONDOR_INHERIT"] = nil
        let check = try condor.credmon(["check"], environment: environment, directory: working)
        #expect(check.status != 0, "\(check.output)")
        #expect(check.output.contains("condor_config_val") && check.output.contains("CONDOR_CONFIG"), "\(check.output)")
        #expect(!FileManager.default.fileExists(atPath: working.appendingPathComponent(".credmon").path))
        withExtendedLifetime(site) {}
    }

    @Test("CREDMON_OAUTH_DEBUG = D_FULLDEBUG selects debug logging")
    func debugKnob() throws {
        let (site, config) = try Self.site("debug", "CREDMON_OAUTH_DEBUG = D_FULLDEBUG")
        let condor = try Self.harness("debug", config: config)
        try condor.startDaemon()
        // "Monitor settings" is logged at debug level only, right after the pid file is written.
        #expect(eventually(timeout: 30) { condor.log.contains(" DEBUG Monitor settings") }, "\(condor.log)")
        #expect(condor.stopDaemon() == 0)
        withExtendedLifetime(site) {}
    }

    @Test("<NAME>_DEBUG is read again on SIGHUP: D_SECURITY D_FULLDEBUG:2 turns debug logging on")
    func debugKnobOnReconfig() throws {
        let (site, config) = try Self.site("debug-hup", "CREDMON_OAUTH_DEBUG = D_ALWAYS")
        let condor = try Self.harness("debug-hup", config: config)
        try condor.storeLocalCredential(user: "bob", token: "scitokens")
        try condor.startDaemon()
        #expect(eventually(timeout: 30) { condor.contents("bob/scitokens.use") != nil })
        // The debug line at start ("Monitor settings") comes before any credential is served: it was not written.
        #expect(condor.log.contains("INFO Starting") && !condor.log.contains(" DEBUG "), "\(condor.log)")

        let text = try String(contentsOfFile: config, encoding: .utf8)
        try text.replacingOccurrences(of: "CREDMON_OAUTH_DEBUG = D_ALWAYS", with: "CREDMON_OAUTH_DEBUG = D_SECURITY, D_FULLDEBUG:2")
            .write(toFile: config, atomically: true, encoding: .utf8)
        kill(try #require(condor.daemon).processIdentifier, SIGHUP)
        #expect(eventually(timeout: 30) { condor.log.contains(" DEBUG Read HTCondor's configuration") }, "\(condor.log)")
        #expect(condor.log.contains("Log level set by CREDMON_OAUTH_DEBUG"), "\(condor.log)")
        #expect(condor.stopDaemon() == 0)
        withExtendedLifetime(site) {}
    }

    @Test("a root-owned symlink to a good credential directory is served through its target")
    func symlinkedDirectory() throws {
        let (site, config) = try Self.site("symlink")
        let condor = try Self.harness("symlink", config: config)
        let link = condor.root.appendingPathComponent("cred-link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: condor.credentialDirectory.path)
        condor.overrides["SEC_CREDENTIAL_DIRECTORY_OAUTH"] = link.path
        try condor.storeLocalCredential(user: "carol", token: "scitokens")
        try condor.startDaemon()
        let daemon = try #require(condor.daemon)
        #expect(eventually(timeout: 30) { condor.contents("carol/scitokens.use") != nil })
        #expect(daemon.isRunning)
        #expect(condor.contents("pid") == "\(daemon.processIdentifier)")
        #expect(condor.log.contains("serving its target"), "\(condor.log)")
        #expect(condor.stopDaemon() == 0)
        withExtendedLifetime(site) {}
    }

    @Test("a symlink to a credential directory with 'other' permission bits is refused, naming the link and the target")
    func symlinkToOpenDirectory() throws {
        let (site, config) = try Self.site("symlink-open")
        let condor = try Self.harness("symlink-open", config: config)
        let open = condor.root.appendingPathComponent("open-cred")
        try FileManager.default.createDirectory(at: open, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        chmod(open.path, 0o777)
        let link = condor.root.appendingPathComponent("cred-link")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: open.path)
        condor.overrides["SEC_CREDENTIAL_DIRECTORY_OAUTH"] = link.path

        let result = try condor.credmon([])
        #expect(result.status == 1, "\(result.output)")
        let text = result.output + condor.log
        #expect(text.contains(link.path) && text.contains(open.path), "\(text)")
        #expect(text.contains("chmod o-rwx \(open.path)"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: open.appendingPathComponent("pid").path))
        withExtendedLifetime(site) {}
    }

    @Test("a second credmon on the same credential directory refuses while the first runs; the first's pid file stays")
    func secondDaemonRefuses() throws {
        let (site, config) = try Self.site("second")
        let condor = try Self.harness("second", config: config)
        try condor.startDaemon()
        let first = try #require(condor.daemon)
        #expect(condor.contents("pid") == "\(first.processIdentifier)")

        let stderr = condor.root.appendingPathComponent("second.stderr")
        let second = try condor.launchDaemon(stderr: stderr)
        #expect(eventually(timeout: 30) { !second.isRunning })
        second.waitUntilExit()
        #expect(second.terminationStatus == 1)
        let message = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        #expect(message.contains("another credential monitor (pid \(first.processIdentifier)"), "\(message)")
        #expect(message.contains(condor.credentialDirectory.path) && message.contains("DAEMON_LIST"), "\(message)")
        #expect(condor.log.contains("another credential monitor"), "\(condor.log)")

        #expect(first.isRunning)
        #expect(condor.contents("pid") == "\(first.processIdentifier)")
        // The first still serves the directory.
        try condor.storeLocalCredential(user: "dave", token: "scitokens")
        kill(first.processIdentifier, SIGHUP)
        #expect(eventually(timeout: 30) { condor.contents("dave/scitokens.use") != nil })
        #expect(condor.stopDaemon() == 0)
        withExtendedLifetime(site) {}
    }

    @Test("a pid file naming a live process that is not a credential monitor is stale: replaced, with a log line")
    func stalePidFileReplaced() throws {
        let (site, config) = try Self.site("stale")
        let condor = try Self.harness("stale", config: config)
        let sleeper = Process()
        sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
        sleeper.arguments = ["300"]
        try sleeper.run()
        defer { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() }
        try "\(sleeper.processIdentifier)".write(to: condor.credentialDirectory.appendingPathComponent("pid"), atomically: true, encoding: .utf8)

        try condor.startDaemon()
        let daemon = try #require(condor.daemon)
        #expect(eventually(timeout: 30) { condor.contents("pid") == "\(daemon.processIdentifier)" })
        #expect(daemon.isRunning)
        #expect(sleeper.isRunning)
        #expect(condor.log.contains("Replacing a stale pid file"), "\(condor.log)")
        #expect(condor.log.contains("stale_pid=\(sleeper.processIdentifier)"), "\(condor.log)")
        // Stopped moments after its pid file appeared: the SIGTERM is trapped already and stops it cleanly (it used to
        // be killed by the signal's default action in that window).
        #expect(condor.stopDaemon() == 0)
        withExtendedLifetime(site) {}
    }
}
