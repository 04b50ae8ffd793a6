import Engine
import FoundationEssentials
import Glibc

/// Where log lines go: a file that is reopened when logrotate moves it, and/or standard error.
public final class LogDestination: @unchecked Sendable {
    private let lock = PosixLock()
    private let path: String?
    private let alsoStderr: Bool
    private var fd: Int32 = -1
    private var openedInode: (dev: UInt64, ino: UInt64)?
    private var lastCheck = Date.distantPast

    /// Why a log file cannot be used.
    public struct OpenError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot open the log file \(path): \(reason)" }
    }

    /// Standard error only.
    public init() {
        path = nil
        alsoStderr = true
    }

    /// A log file (created 0644 if missing), optionally mirrored to standard error.
    public init(path: String, alsoStderr: Bool) throws(OpenError) {
        self.path = path
        self.alsoStderr = alsoStderr
        try reopen()
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether lines reach standard error (no file, or `-v`).
    public var writesToStandardError: Bool { path == nil || alsoStderr }

    /// Reopens the file (after logrotate moved it, or on SIGHUP). The file is opened without following a symlink
    /// and without blocking, and refused unless it is a regular file (a FIFO would stop every log line, and the
    /// daemon with it); on failure the file already open stays in use.
    public func reopen() throws(OpenError) {
        guard let path else { return }
        let newFD: Int32
        do {
            newFD = try SafeFile.openForAppend(name: path, relativeTo: AT_FDCWD, displayPath: path, mode: 0o644)
        } catch {
            throw OpenError(path: path, reason: error.reason)
        }
        var st = stat()
        fstat(newFD, &st)
        lock.withLock {
            if fd >= 0 { close(fd) }
            fd = newFD
            openedInode = (UInt64(st.st_dev), UInt64(st.st_ino))
        }
    }

    /// Writes one line (the newline is added).
    public func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        if path != nil {
            reopenIfMoved()
            lock.withLock { _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } }
        }
        if alsoStderr {
            _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
        }
    }

    private func reopenIfMoved() {
        guard let path else { return }
        let now = Date()
        let due = lock.withLock { () -> Bool in
            guard now.timeIntervalSince(lastCheck) >= 1 else { return false }
            lastCheck = now
            return true
        }
        guard due else { return }
        var st = stat()
        let moved = lstat(path, &st) != 0 || lock.withLock { openedInode.map { $0.dev != UInt64(st.st_dev) || $0.ino != UInt64(st.st_ino) } ?? true }
        if moved { try? reopen() }
    }
}
