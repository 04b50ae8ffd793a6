import FoundationEssentials
import Glibc

/// Runs a helper program with a deadline: it gets its own process group, its standard output and error are read
/// until both close, and if it has not finished by the deadline the whole group is killed (`SIGKILL`). Nothing it
/// leaves behind (a child holding a pipe open) can make the caller wait past the deadline.
public struct BoundedProcess: Sendable {
    /// What the program did.
    public struct Outcome: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        public var status: Int32
        public var output: [UInt8]
        public var error: [UInt8]
    }

    /// Why it has no outcome.
    public enum Failure: Error, Sendable {
        case cannotStart(String)
        case timedOut
        case outputTooLarge
    }

    public var path: String
    public var arguments: [String]
    /// The whole environment of the program (nothing is inherited).
    public var environment: [String: String]
    /// Seconds the program may run.
    public var timeout: TimeInterval
    /// The largest standard output (and error) kept: beyond it the program is killed.
    public var outputLimit = 64 << 20

    public init(path: String, arguments: [String], environment: [String: String], timeout: TimeInterval, outputLimit: Int = 64 << 20) {
        self.path = path
        self.arguments = arguments
        self.environment = environment
        self.timeout = timeout
        self.outputLimit = outputLimit
    }

    /// Runs the program to its end (blocking the calling thread, at most ``timeout``).
    public func run() throws(Failure) -> Outcome {
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard Self.makePipe(&outPipe) else { throw .cannotStart(String(cString: strerror(errno))) }
        guard Self.makePipe(&errPipe) else {
            close(outPipe[0]); close(outPipe[1])
            throw .cannotStart(String(cString: strerror(errno)))
        }
        let pid: pid_t
        do {
            pid = try spawn(stdout: outPipe[1], stderr: errPipe[1])
        } catch {
            for fd in outPipe + errPipe { close(fd) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        defer { close(outPipe[0]); close(errPipe[0]) }
        let deadline = Date().addingTimeInterval(timeout)
        var output: [UInt8] = [], error: [UInt8] = []
        let drained = drain(stdout: outPipe[0], stderr: errPipe[0], into: &output, &error, until: deadline)
        var status: Int32 = 0
        while drained == .closed {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { return Outcome(status: Self.exitStatus(status), output: output, error: error) }
            if waited < 0 && errno != EINTR { break }
            if Date() >= deadline { break }
            usleep(10_000)
        }
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        throw drained == .tooLarge ? .outputTooLarge : .timedOut
    }

    private enum Drain { case closed, timedOut, tooLarge }

    /// Reads both pipes until both are closed, the deadline passes or the output exceeds the limit.
    private func drain(stdout: Int32, stderr: Int32, into output: inout [UInt8], _ error: inout [UInt8], until deadline: Date) -> Drain {
        var open = [stdout: true, stderr: true]
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while open.values.contains(true) {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return .timedOut }
            var fds = open.filter(\.value).keys.sorted().map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining * 1000, 1000).rounded(.up)))
            if ready < 0 && errno != EINTR { return .timedOut }
            for entry in fds where entry.revents != 0 {
                let n = chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress!, $0.count) }
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if n <= 0 {
                    open[entry.fd] = false
                    continue
                }
                if entry.fd == stdout { output += chunk[0..<n] } else { error += chunk[0..<n] }
                if output.count > outputLimit || error.count > outputLimit { return .tooLarge }
            }
        }
        return .closed
    }

    private func spawn(stdout: Int32, stderr: Int32) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        // The daemon ignores or blocks the signals it handles itself; the helper starts with the defaults.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        var result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        // ETXTBSY: the file is open for writing somewhere (being installed, or a descriptor inherited by a child
        // forked meanwhile); it passes within moments.
        for _ in 0..<20 where result == ETXTBSY {
            usleep(50_000)
            result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        }
        guard result == 0 else { throw .cannotStart(String(cString: strerror(result))) }
        return pid
    }

    /// `pipe(2)` with both ends close-on-exec (the child gets its copies through `dup2`).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func exitStatus(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
