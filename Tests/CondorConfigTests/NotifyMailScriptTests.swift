import CredmonTestKit
import Foundation
import Testing

/// deploy/notify/credmon-notify-mail, run as the daemon runs a notification command: without a shell, with only PATH
/// and the CREDMON_* variables, against a fake `sendmail` first on the PATH that records its argv and the message.
@Suite("deploy/notify/credmon-notify-mail")
struct NotifyMailScriptTests {
    static let script = DeploymentFilesTests.repository + "/deploy/notify/credmon-notify-mail"
    /// The PATH the daemon gives a notification command (`NotifyCommand.path`), behind the fake's directory.
    static let daemonPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    static let hint = "Run 'condor_store_cred delete-oauth -s box' and submit again: condor_credd then writes a fresh login link."

    /// A temporary directory with `bin/sendmail`: it writes its arguments (one a line) to `argv` and its standard
    /// input to `message`, then exits `status`.
    struct FakeSendmail {
        let directory: TemporaryDirectory
        var argvFile: String { directory.file("argv") }
        var messageFile: String { directory.file("message") }

        init(status: Int32 = 0) throws {
            directory = try TemporaryDirectory("credmon-notify")
            let path = try directory.write("bin/sendmail", """
                #!/bin/sh
                printf '%s\\n' "$@" > '\(directory.file("argv"))'
                cat > '\(directory.file("message"))'
                exit \(status)

                """)
            chmod(path, 0o755)
        }

        /// Runs the script with exactly these variables and PATH (the fake first), killed after 60 s.
        func run(user: String, service: String, state: String, expiresAt: String, hint: String = NotifyMailScriptTests.hint,
                 arguments: [String] = []) throws -> DeadlineRun {
            let environment = ["PATH": directory.file("bin") + ":" + NotifyMailScriptTests.daemonPath, "CREDMON_USER": user,
                               "CREDMON_SERVICE": service, "CREDMON_STATE": state, "CREDMON_EXPIRES_AT": expiresAt,
                               "CREDMON_LOGIN_HINT": hint]
            let run = try DeadlineRun.run(NotifyMailScriptTests.script, arguments, environment: environment, deadline: 60)
            #expect(!run.timedOut, "the script ran for more than 60 s")
            return run
        }

        var ran: Bool { FileManager.default.fileExists(atPath: argvFile) }

        /// The message sendmail got: its headers (name → value) and its body.
        func message() throws -> (headers: [String: String], body: String) {
            let text = try String(contentsOfFile: messageFile, encoding: .utf8)
            let parts = text.components(separatedBy: "\n\n")
            var headers: [String: String] = [:]
            for line in parts[0].split(separator: "\n") {
                let (name, value) = (line.prefix { $0 != ":" }, line.drop { $0 != ":" }.dropFirst())
                #expect(headers[String(name)] == nil, "header \(name) twice")
                headers[String(name)] = value.trimmingCharacters(in: .whitespaces)
            }
            return (headers, parts.dropFirst().joined(separator: "\n\n"))
        }
    }

    @Test("an executable POSIX sh script with set -eu")
    func isAnExecutableShellScript() throws {
        let text = try String(contentsOfFile: Self.script, encoding: .utf8)
        #expect(text.hasPrefix("#!/bin/sh\n"))
        #expect(text.contains("\nset -eu\n"))
        #expect(FileManager.default.isExecutableFile(atPath: Self.script), "mode 0755: the daemon runs it without a shell")
    }

    @Test("expiring, with an expiry and a recipient template: sendmail -t -oi gets To, Subject, the date and the hint")
    func expiringMail() throws {
        let sendmail = try FakeSendmail()
        let run = try sendmail.run(user: "alice", service: "box", state: "expiring", expiresAt: "1767225600", arguments: ["%u@example.org"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try String(contentsOfFile: sendmail.argvFile, encoding: .utf8) == "-t\n-oi\n")
        let (headers, body) = try sendmail.message()
        #expect(headers["To"] == "alice@example.org")
        #expect(headers["Subject"] == "[credmon] Your box credential is expiring")
        #expect(Set(headers.keys) == ["To", "Subject", "Auto-Submitted", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"],
                "\(headers)")
        #expect(body.contains("expires on 2026-01-01 00:00:00 UTC"), "\(body)")
        #expect(body.contains(Self.hint), "\(body)")
        #expect(body.contains("automatically"), "\(body)")
    }

    @Test("revoked, no expiry known, no argument: to the user name, no date")
    func revokedMail() throws {
        let sendmail = try FakeSendmail()
        let hint = "Submit a job again: HTCondor runs htgettoken, which stores a new Vault token (log in when it asks)."
        let run = try sendmail.run(user: "bob", service: "cilogon", state: "revoked", expiresAt: "", hint: hint)
        #expect(run.status == 0, "\(run.stderr)")
        let (headers, body) = try sendmail.message()
        #expect(headers["To"] == "bob")
        #expect(headers["Subject"] == "[credmon] Your cilogon credential was revoked")
        #expect(body.contains(hint), "\(body)")
        #expect(!body.contains("UTC") && !body.contains("1970"), "\(body)")
    }

    @Test("each state has its subject", arguments: [
        ("expiring", "is expiring"), ("expired", "has expired"), ("revoked", "was revoked"), ("ok", "is valid again"),
    ])
    func subjects(state: String, ending: String) throws {
        let sendmail = try FakeSendmail()
        let run = try sendmail.run(user: "carol_2", service: "my-vault", state: state, expiresAt: "1767225600")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try sendmail.message().headers["Subject"] == "[credmon] Your my-vault credential \(ending)")
    }

    /// Values the script must refuse before anything reaches a mail header.
    struct Injection: Sendable, CustomTestStringConvertible {
        var user = "bob", service = "box", state = "expiring", arguments: [String] = []
        var testDescription: String { "\(user.debugDescription) \(service.debugDescription) \(state.debugDescription) \(arguments)" }
    }

    @Test("a user, service, recipient or state that could inject headers is refused with exit 2 and sendmail never runs",
          arguments: [
              Injection(user: "bob\nBcc: x@y"),
              Injection(service: "box\r\nBcc: x@y"),
              Injection(user: "bob smith"),
              Injection(user: ""),
              Injection(arguments: ["%u@example.org, eve@example.org"]),
              Injection(state: "expiring\nBcc: x@y"),
          ])
    func refusesInjection(_ injection: Injection) throws {
        let sendmail = try FakeSendmail()
        let run = try sendmail.run(user: injection.user, service: injection.service, state: injection.state, expiresAt: "",
                                   arguments: injection.arguments)
        #expect(run.status == 2, "exit \(run.status): \(run.stderr)")
        #expect(run.stderr.contains("credmon-notify-mail: refusing"), "\(run.stderr)")
        #expect(!sendmail.ran, "sendmail ran")
    }

    @Test("an expiry that is not epoch seconds is refused")
    func refusesBadExpiry() throws {
        let sendmail = try FakeSendmail()
        let run = try sendmail.run(user: "bob", service: "box", state: "expiring", expiresAt: "tomorrow; rm -rf /")
        #expect(run.status == 2, "\(run.stderr)")
        #expect(!sendmail.ran)
    }

    @Test("a failing sendmail makes the script fail")
    func sendmailFails() throws {
        let sendmail = try FakeSendmail(status: 1)
        let run = try sendmail.run(user: "alice", service: "box", state: "expired", expiresAt: "1767225600")
        #expect(sendmail.ran)
        #expect(run.status != 0)
        #expect(run.stderr.contains("sendmail"), "\(run.stderr)")
    }
}
