import FoundationEssentials

/// The notification command (`notify_command`, `--notify-command`, `CREDMON_NOTIFY_COMMAND`): run without a shell,
/// as the daemon's user, with a deadline, with nothing in its environment but `PATH` and what ``Notice`` says.
public struct NotifyCommand: Sendable, Equatable {
    /// The program and its arguments.
    public var argv: [String]
    /// Seconds it may run before its process group is killed.
    public var timeout: TimeInterval

    public init(argv: [String], timeout: TimeInterval = 30) {
        self.argv = argv
        self.timeout = timeout
    }

    /// The `PATH` the command gets (a mail script finds `sendmail` there).
    public static let path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Why `argv` cannot be a notification command, or nil.
    public static func problem(with argv: [String]) -> String? {
        guard let program = argv.first else { return "is empty" }
        guard program.hasPrefix("/") else { return "'\(program)' is not an absolute path" }
        if let bad = argv.first(where: { $0.utf8.contains(0) || $0.utf8.count > 4096 }) {
            return "an argument (\(bad.prefix(40))…) holds a NUL byte or is longer than 4096 bytes"
        }
        return argv.count > 64 ? "has \(argv.count) arguments; at most 64" : nil
    }

    /// The environment of one notice: `PATH` and the `CREDMON_*` variables, nothing inherited, nothing secret.
    public static func environment(for notice: Notice) -> [String: String] {
        [
            "PATH": path,
            "CREDMON_USER": notice.user,
            "CREDMON_SERVICE": notice.service,
            "CREDMON_STATE": notice.health.rawValue,
            "CREDMON_EXPIRES_AT": notice.expiresAt.map { String(ExternalTime.epochSeconds($0)) } ?? "",
            "CREDMON_LOGIN_HINT": notice.loginHint,
        ]
    }

    /// What came of one run.
    public enum Result: Sendable, Equatable {
        case succeeded
        /// It ran and exited with this status (or 128 + the signal that ended it); `stderr` is its first line, printable.
        case failed(status: Int32, stderr: String)
        /// It could not be started, or overran its deadline.
        case notRun(String)
    }

    /// Runs the command for `notice`, blocking the calling thread (at most ``timeout``).
    public func run(_ notice: Notice) -> Result {
        guard let program = argv.first else { return .notRun("no command") }
        let process = BoundedProcess(path: program, arguments: Array(argv.dropFirst()), environment: Self.environment(for: notice),
                                     timeout: timeout, outputLimit: 64 << 10)
        do {
            let outcome = try process.run()
            if outcome.status == 0 { return .succeeded }
            let line = String(decoding: outcome.error.prefix { $0 != 0x0A }, as: UTF8.self)
            return .failed(status: outcome.status, stderr: SafeText.printable(line, limit: 200))
        } catch {
            switch error {
            case .cannotStart(let reason): return .notRun("cannot start \(program): \(reason)")
            case .timedOut: return .notRun("\(program) did not finish within \(Int(timeout)) s and was killed")
            case .outputTooLarge: return .notRun("\(program) wrote more than 64 KiB and was killed")
            }
        }
    }
}

/// One notification: a credential's long-lived part changed state.
public struct Notice: Sendable, Equatable {
    public var user: String
    public var service: String
    /// The token name (`<service>` or `<service>_<handle>`).
    public var token: String
    public var health: CredentialHealth
    /// The threshold crossed (seconds), with ``CredentialHealth/expiring``.
    public var threshold: TimeInterval?
    public var expiresAt: Date?
    /// What the user should do (``CredentialHealth/ok``: nothing).
    public var loginHint: String

    public init(user: String, service: String, token: String, health: CredentialHealth, threshold: TimeInterval?, expiresAt: Date?,
                loginHint: String) {
        self.user = user
        self.service = service
        self.token = token
        self.health = health
        self.threshold = threshold
        self.expiresAt = expiresAt
        self.loginHint = loginHint
    }
}
