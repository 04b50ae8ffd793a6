import Foundation
import Testing
@testable import Engine

/// Expiry of long-lived credentials (issue 12): the estimate, the health, when to notify, the policy keys, the store
/// and the notification command. Pure functions and small files; the daemon's behaviour is in
/// ExpiryNotificationTests (end to end).
@Suite("Expiry of long-lived credentials")
struct ExpiryTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func jwt(_ payload: String) -> String {
        func encode(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        return encode("{\"alg\":\"none\"}") + "." + encode(payload) + ".sig"
    }

    static func object(_ json: String) throws -> [String: JSONValue] { try #require(JSONValue.parseObject(Array(json.utf8))) }

    // MARK: Estimate

    @Test("A JWT refresh token's exp wins over refresh_expires_in and the configured lifetime")
    func jwtWins() throws {
        let token = Self.jwt("{\"exp\":1800500000,\"jti\":\"x\"}")
        let answer = try Self.object("{\"refresh_token\":\"\(token)\",\"refresh_expires_in\":60}")
        let expiry = RefreshTokenExpiry.estimate(from: answer, issuedAt: Self.now, maximum: 100)
        #expect(expiry == CredentialExpiry(expiresAt: Date(timeIntervalSince1970: 1_800_500_000), source: .refreshTokenClaim))
    }

    @Test("refresh_expires_in counts from the answer (or the .top's writing); 0 (an offline token) falls to the lifetime")
    func refreshExpiresIn() throws {
        let answer = try Self.object("{\"refresh_token\":\"opaque\",\"refresh_expires_in\":\"1800\"}")
        #expect(RefreshTokenExpiry.estimate(from: answer, issuedAt: Self.now, maximum: nil)
                == CredentialExpiry(expiresAt: Self.now.addingTimeInterval(1800), source: .refreshExpiresIn))
        let offline = try Self.object("{\"refresh_token\":\"opaque\",\"refresh_expires_in\":0}")
        #expect(RefreshTokenExpiry.estimate(from: offline, issuedAt: Self.now, maximum: 86_400)
                == CredentialExpiry(expiresAt: Self.now.addingTimeInterval(86_400), source: .configuredLifetime))
        #expect(RefreshTokenExpiry.estimate(from: offline, issuedAt: Self.now, maximum: 0) == .never)
        #expect(RefreshTokenExpiry.estimate(from: offline, issuedAt: Self.now, maximum: nil) == nil)
    }

    @Test("Hostile numbers are passed over, never trusted", arguments: [
        "{\"refresh_expires_in\":1e300}", "{\"refresh_expires_in\":-5}", "{\"refresh_expires_in\":\"soon\"}",
        "{\"refresh_expires_in\":99999999999999999999}", "{\"refresh_expires_in\":[1]}", "{\"refresh_expires_in\":null}",
    ])
    func hostileNumbers(json: String) throws {
        #expect(RefreshTokenExpiry.estimate(from: try Self.object(json), issuedAt: Self.now, maximum: nil) == nil)
        let badClaim = try Self.object("{\"refresh_token\":\"\(Self.jwt("{\"exp\":1e300}"))\"}")
        #expect(RefreshTokenExpiry.estimate(from: badClaim, issuedAt: Self.now, maximum: 60)?.source == .configuredLifetime)
    }

    // MARK: Health

    @Test("Health: the smallest threshold the remaining life is within; expired before revoked")
    func health() {
        let thresholds: [TimeInterval] = [604_800, 86_400]
        func assess(_ remaining: TimeInterval?, refused: Bool = false) -> HealthAssessment {
            HealthAssessment.assess(expiresAt: remaining.map { Self.now.addingTimeInterval($0) }, refused: refused, thresholds: thresholds, now: Self.now)
        }
        #expect(assess(8 * 86_400) == HealthAssessment(.ok))
        #expect(assess(6 * 86_400) == HealthAssessment(.expiring, threshold: 604_800))
        #expect(assess(12 * 3600) == HealthAssessment(.expiring, threshold: 86_400))
        #expect(assess(0) == HealthAssessment(.expired))
        #expect(assess(nil) == HealthAssessment(.ok))
        #expect(assess(nil, refused: true) == HealthAssessment(.revoked))
        #expect(assess(6 * 86_400, refused: true) == HealthAssessment(.revoked))
        #expect(assess(-1, refused: true) == HealthAssessment(.expired))
    }

    // MARK: When to notify

    @Test("Notices: once per threshold, once expired, once revoked, ok only after one of those")
    func noticeRule() {
        var notified: HealthAssessment?
        var sent: [String] = []
        func see(_ assessment: HealthAssessment) {
            let (send, mark) = NoticeRule.next(notified: notified, current: assessment)
            if send { sent.append(assessment.health.rawValue + (assessment.threshold.map { ":\(Int($0))" } ?? "")) }
            notified = mark
        }
        let week = HealthAssessment(.expiring, threshold: 604_800), day = HealthAssessment(.expiring, threshold: 86_400)
        for assessment in [HealthAssessment(.ok), week, week, week, day, day, HealthAssessment(.expired), HealthAssessment(.expired),
                           HealthAssessment(.ok), HealthAssessment(.ok), HealthAssessment(.revoked), HealthAssessment(.revoked)] {
            see(assessment)
        }
        #expect(sent == ["expiring:604800", "expiring:86400", "expired", "ok", "revoked"])
        // A rotation that moves the expiry back into the 7-day window after the 1-day warning: quiet, and the 1-day
        // threshold warns again when it comes.
        notified = day
        sent = []
        see(week)
        see(day)
        #expect(sent == ["expiring:86400"])
        // First seen 12 hours from expiry: the 1-day warning only.
        notified = nil
        sent = []
        see(day)
        #expect(sent == ["expiring:86400"])
    }

    // MARK: Policy keys

    static func reader(_ yaml: String) throws -> FragmentReader {
        guard case .mapping(let mapping)? = try YAMLReader.compose(yaml: yaml) else { throw CocoaError(.fileReadCorruptFile) }
        return FragmentReader(file: "/etc/credmon/providers.d/x.yaml", mapping: mapping)
    }

    @Test("expiry_warnings, notify_command and refresh_token_lifetime are read, checked and located")
    func policyKeys() throws {
        var good = try Self.reader("""
            expiry_warnings: [86400, 604800, 86400]
            notify_command: [/usr/libexec/credmon/notify, --to, "%u@example.org"]
            refresh_token_lifetime: 2592000
            """)
        let policy = ExpiryPolicy.read(&good, lifetime: .refreshToken(maximum: 60))
        #expect(good.errors.isEmpty, "\(good.errors)")
        #expect(policy == ExpiryPolicy(lifetime: .refreshToken(maximum: 2_592_000), warnings: [604_800, 86_400],
                                       notifyCommand: ["/usr/libexec/credmon/notify", "--to", "%u@example.org"]))

        var bad = try Self.reader("""
            expiry_warnings: [86400, 5]
            notify_command: notify-me
            refresh_token_lifetime: 100
            """)
        _ = ExpiryPolicy.read(&bad, lifetime: .never)
        let errors = bad.errors.map(\.description)
        #expect(errors.count == 3, "\(errors)")
        #expect(errors.contains { $0.contains(":1: ") && $0.contains("'expiry_warnings'") && $0.contains("5 is out of range") }, "\(errors)")
        #expect(errors.contains { $0.contains(":2: ") && $0.contains("'notify_command'") && $0.contains("absolute path") }, "\(errors)")
        #expect(errors.contains { $0.contains(":3: ") && $0.contains("'refresh_token_lifetime'") && $0.contains("remove the key") }, "\(errors)")
    }

    @Test("Thresholds from a knob or a flag: commas or spaces, a minute to a year, at most 8")
    func warningText() throws {
        #expect(try ExpiryPolicy.parseWarnings("86400, 604800").get() == [604_800, 86_400])
        #expect(try ExpiryPolicy.parseWarnings("3600 3600").get() == [3600])
        for bad in ["59", "1w", "31536001", "60,120,180,240,300,360,420,480,540"] {
            #expect(throws: ExpiryPolicy.WarningProblem.self, "\(bad)") { try ExpiryPolicy.parseWarnings(bad).get() }
        }
    }

    // MARK: Store

    @Test("The store keeps expiries and notification marks across a restart; a damaged file is an error, not a crash")
    func store() throws {
        let state = try TemporaryDirectory("expiry-store")
        var record = CredentialRecord(id: CredentialID(user: "alice", token: TokenName(service: "box", handle: "work")))
        record.expiry = CredentialExpiry(expiresAt: Date(timeIntervalSince1970: 1_800_000_123), source: .refreshExpiresIn)
        record.expiryEstimatedForSeed = 1_700_000_000_123_456_789
        record.notified = HealthAssessment(.expiring, threshold: 86_400)
        var plain = CredentialRecord(id: CredentialID(user: "bob", token: TokenName(service: "scitokens")))
        plain.expiry = .never
        let quiet = CredentialRecord(id: CredentialID(user: "carol", token: TokenName(service: "x")))
        try ExpiryStore.write(ExpiryStore.entries(of: [record, plain, quiet]), to: state.path)
        let mode = try FileManager.default.attributesOfItem(atPath: state.file(ExpiryStore.fileName))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let read = try ExpiryStore.read(from: state.path, allowSpecialCharacters: false)
        #expect(read.count == 1, "a never-expiring credential with nothing notified is not kept (its kind tells it again)")
        #expect(read[record.id] == ExpiryStore.Entry(expiry: record.expiry, estimatedForSeed: record.expiryEstimatedForSeed, notified: record.notified))
        #expect(read[plain.id] == nil)
        try ExpiryStore.write(ExpiryStore.entries(of: [record]), to: state.path, credentialDirectory: "/var/lib/condor/oauth_credentials")
        #expect(try ExpiryStore.read(from: state.path, credentialDirectory: "/var/lib/condor/oauth_credentials", allowSpecialCharacters: false).count == 1)
        #expect(try ExpiryStore.read(from: state.path, credentialDirectory: "/other/credentials", allowSpecialCharacters: false).isEmpty,
                "another directory's store (a shared state directory) is not this one's")

        _ = try state.write(ExpiryStore.fileName, "{\"credentials\": 5")
        #expect(throws: FormatError.self) { try ExpiryStore.read(from: state.path, allowSpecialCharacters: false) }
        _ = try state.write(ExpiryStore.fileName, "{\"credentials\":[{\"user\":\"../x\",\"token\":\"box\"},{\"user\":\"dave\",\"token\":\"box\",\"source\":\"refresh_expires_in\",\"expiresAt\":1e300}]}")
        let hostile = try ExpiryStore.read(from: state.path, allowSpecialCharacters: false)
        #expect(hostile.count == 1, "a bad user name is dropped")
        #expect(hostile.values.first?.expiry == CredentialExpiry(expiresAt: nil, source: .refreshExpiresIn), "an impossible date is dropped")
    }

    // MARK: The command

    static let notice = Notice(user: "alice", service: "box", token: "box", health: .expiring, threshold: 604_800,
                               expiresAt: Date(timeIntervalSince1970: 1_800_000_000), loginHint: "Run 'condor_store_cred delete-oauth -s box' and submit again.")

    @Test("The command gets PATH and the CREDMON_* variables, nothing else, and no shell")
    func commandEnvironment() throws {
        let directory = try TemporaryDirectory("notify")
        let dump = directory.file("env")
        let script = try directory.write("notify.sh", "#!/bin/sh\n/usr/bin/env > \(dump)\necho \"$1\" >> \(dump)\n")
        chmod(script, 0o755)
        setenv("CREDMON_TEST_SECRET", "s3cr3t", 1)
        defer { unsetenv("CREDMON_TEST_SECRET") }
        let result = NotifyCommand(argv: [script, "a b; rm -rf /"]).run(Self.notice)
        #expect(result == .succeeded)
        let lines = try String(contentsOfFile: dump, encoding: .utf8).split(separator: "\n").map(String.init)
        let names = Set(lines.dropLast().compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
            .subtracting(["PWD", "SHLVL", "_"])
        #expect(names == ["PATH", "CREDMON_USER", "CREDMON_SERVICE", "CREDMON_STATE", "CREDMON_EXPIRES_AT", "CREDMON_LOGIN_HINT"], "\(names)")
        #expect(lines.contains("CREDMON_EXPIRES_AT=1800000000"))
        #expect(lines.contains("CREDMON_STATE=expiring"))
        #expect(!lines.contains { $0.contains("s3cr3t") })
        #expect(lines.last == "a b; rm -rf /", "an argument reaches the program as one word, unexpanded")
    }

    @Test("A command that fails, hangs or is missing is reported, and a hung one is killed at its deadline")
    func commandFailures() throws {
        let directory = try TemporaryDirectory("notify-fail")
        let failing = try directory.write("fail.sh", "#!/bin/sh\necho 'no mail server' >&2\nexit 3\n")
        let hanging = try directory.write("hang.sh", "#!/bin/sh\nsleep 30\n")
        chmod(failing, 0o755)
        chmod(hanging, 0o755)
        #expect(NotifyCommand(argv: [failing]).run(Self.notice) == .failed(status: 3, stderr: "no mail server"))
        let started = Date()
        guard case .notRun(let reason) = NotifyCommand(argv: [hanging], timeout: 0.5).run(Self.notice) else {
            Issue.record("a hung command was not killed")
            return
        }
        #expect(reason.contains("did not finish"), "\(reason)")
        #expect(Date().timeIntervalSince(started) < 10)
        guard case .notRun(let missing) = NotifyCommand(argv: [directory.file("absent")]).run(Self.notice) else {
            Issue.record("a missing command ran")
            return
        }
        #expect(missing.contains("cannot start"), "\(missing)")
        #expect(NotifyCommand.problem(with: []) != nil)
        #expect(NotifyCommand.problem(with: ["relative/path"]) != nil)
        #expect(NotifyCommand.problem(with: ["/bin/true"]) == nil)
    }
}
