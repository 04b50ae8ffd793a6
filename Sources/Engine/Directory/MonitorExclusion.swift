import Glibc

/// One credential monitor per credential directory (contract §B.3.9): before a daemon writes `$CD/pid` it holds an
/// exclusive lock on the directory (against another Credmon starting at the same moment) and looks at the pid file
/// (against HTCondor's Python `condor_credmon_oauth`/`condor_credmon_vault`, which take no lock).
public final class MonitorExclusion: Sendable {
    private let handle: DirectoryHandle

    /// What `$CD/pid` says about the monitor serving the directory.
    public enum PidFileState: Sendable, Equatable {
        /// No pid file.
        case absent
        /// It names this process.
        case ours
        /// It names no running credential monitor and may be replaced; `reason` says why.
        case stale(pid: Int32?, reason: String)
        /// It names a running credential monitor: `executable` is what `/proc/<pid>` shows of it.
        case running(pid: Int32, executable: String)
    }

    /// Why this daemon must not start: another monitor serves the directory.
    public struct Conflict: Error, Sendable, CustomStringConvertible {
        public var directory: String
        public var pid: Int32?
        public var executable: String?
        public var description: String {
            let who = pid.map { "pid \($0)\(executable.map { ", \($0)" } ?? "")" } ?? "its pid file is not written yet"
            return "another credential monitor (\(who)) serves \(directory); stop it (remove CREDMON_OAUTH/CREDMON_VAULT "
                + "from DAEMON_LIST, or stop the other credmon) before starting credmon"
        }
    }

    private init(handle: DirectoryHandle) { self.handle = handle }

    /// Takes the directory for this process: refuses (``Conflict``) when another Credmon holds the directory's lock or
    /// the pid file names another running credential monitor. Keep the result for as long as the daemon runs (the
    /// lock goes with it). `stale` is told about a pid file that will be replaced.
    public static func acquire(_ directory: CredentialDirectory, proc: String = "/proc",
                               stale: (Int32?, String) -> Void = { _, _ in }) throws -> MonitorExclusion {
        let handle = try directory.open()
        var state: PidFileState
        if flock(handle.descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else { throw SystemError("lock", path: directory.path) }
            state = inspect(directory, proc: proc)
            if case .running(let pid, let executable) = state {
                throw Conflict(directory: directory.path, pid: pid, executable: executable)
            }
            throw Conflict(directory: directory.path, pid: nil, executable: nil)
        }
        state = inspect(directory, proc: proc)
        switch state {
        case .running(let pid, let executable):
            throw Conflict(directory: directory.path, pid: pid, executable: executable)
        case .stale(let pid, let reason):
            stale(pid, reason)
        case .absent, .ours:
            break
        }
        return MonitorExclusion(handle: handle)
    }

    /// Reads `$CD/pid` and looks the process up in `proc` (`/proc`).
    public static func inspect(_ directory: CredentialDirectory, selfPID: Int32 = getpid(), proc: String = "/proc") -> PidFileState {
        let bytes: [UInt8]?
        do { bytes = try directory.open().readFile(CredentialDirectory.pidFile, limit: 255) } catch {
            return .stale(pid: nil, reason: "it cannot be read (\(error))")
        }
        guard let bytes else { return .absent }
        guard let pid = parsePID(bytes) else { return .stale(pid: nil, reason: "it does not hold a process id") }
        if pid == selfPID { return .ours }
        guard kill(pid, 0) == 0 || errno == EPERM else { return .stale(pid: pid, reason: "no process \(pid) is running") }
        guard let executable = credentialMonitor(pid: pid, proc: proc) else {
            return .stale(pid: pid, reason: "process \(pid) is not a credential monitor")
        }
        return .running(pid: pid, executable: executable)
    }

    /// A positive decimal process id, as condor_credd parses it (surrounding white space tolerated).
    static func parsePID(_ bytes: [UInt8]) -> Int32? {
        let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let pid = Int32(text), pid > 0 else { return nil }
        return pid
    }

    /// What process `pid` runs when it is a credential monitor, else nil: Credmon (`/proc/<pid>/exe` is this
    /// program or named `credmon`), or HTCondor's Python credmons (an interpreter whose command line runs
    /// `condor_credmon_*`). A zombie, or a process whose `/proc` entries cannot be read, is not one.
    static func credentialMonitor(pid: Int32, proc: String) -> String? {
        let exe = readLink("\(proc)/\(pid)/exe").map { $0.hasSuffix(" (deleted)") ? String($0.dropLast(10)) : $0 }
        let own = readLink("\(proc)/self/exe").map { $0.hasSuffix(" (deleted)") ? String($0.dropLast(10)) : $0 }
        if let exe {
            let name = baseName(exe)
            if exe == own || name == "credmon" || name.hasPrefix("condor_credmon") { return exe }
        }
        let arguments = commandLine("\(proc)/\(pid)/cmdline")
        if let monitor = arguments.prefix(3).first(where: { baseName($0).hasPrefix("condor_credmon") || baseName($0) == "credmon" }) {
            return exe.map { "\($0) \(monitor)" } ?? monitor
        }
        return nil
    }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func commandLine(_ path: String) -> [String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 65_536 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}

private extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
