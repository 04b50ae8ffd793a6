import Engine
import FoundationEssentials
import Glibc
import Synchronization

/// Where log lines go: a file that is reopened when logrotate moves it, and/or standard error.
///
/// A line is one `write(2)` to a descriptor opened with `O_APPEND` (lines never interleave) and takes no lock: a
/// reopen puts the new file under the same descriptor number with `dup2(2)`, so a writer never holds a closed or
/// reused descriptor. Whether the file was moved is checked at most once a second, by one writer.
public final class LogDestination: HeldLogLines.Sink, @unchecked Sendable {
    private let lock = PosixLock()
    private let path: String?
    private let alsoStderr: Bool
    /// The file's descriptor; its number stays the same for the destination's life (see ``reopen()``).
    private let fd: Int32
    private var openedInode: (dev: UInt64, ino: UInt64)?
    /// The monotonic second of the last check whether the file was moved.
    private let lastCheck = Atomic<Int64>(Int64.min)

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
        fd = -1
    }

    /// A log file (created 0644 if missing), optionally mirrored to standard error.
    public init(path: String, alsoStderr: Bool) throws(OpenError) {
        self.path = path
        self.alsoStderr = alsoStderr
        let (opened, inode) = try Self.open(path)
        fd = opened
        openedInode = inode
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Whether lines reach standard error (no file, or `-v`).
    public var writesToStandardError: Bool { path == nil || alsoStderr }

    /// Reopens the file (after logrotate moved it, or on SIGHUP). The file is opened without following a symlink
    /// and without blocking, and refused unless it is a regular file (a FIFO would stop every log line, and the
    /// daemon with it); on failure the file already open stays in use.
    public func reopen() throws(OpenError) {
        guard let path else { return }
        let (newFD, inode) = try Self.open(path)
        lock.withLock {
            if dup2(newFD, fd) >= 0 { openedInode = inode }
            close(newFD)
        }
    }

    private static func open(_ path: String) throws(OpenError) -> (Int32, (dev: UInt64, ino: UInt64)) {
        let newFD: Int32
        do {
            newFD = try SafeFile.openForAppend(name: path, relativeTo: AT_FDCWD, displayPath: path, mode: 0o644)
        } catch {
            throw OpenError(path: path, reason: error.reason)
        }
        var st = stat()
        fstat(newFD, &st)
        return (newFD, (UInt64(st.st_dev), UInt64(st.st_ino)))
    }

    /// Writes one line given as its bytes (the newline is added), or holds it for the thread's batch
    /// (``HeldLogLines``).
    public func write(line: consuming [UInt8]) {
        var bytes = line
        bytes.append(0x0A)
        if HeldLogLines.hold(bytes, for: self) { return }
        writeHeld(bytes)
    }

    /// Writes whole lines now: one `write(2)` to the file and one to standard error.
    public func writeHeld(_ bytes: [UInt8]) {
        if path != nil {
            reopenIfMoved()
            _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        }
        if alsoStderr {
            _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
        }
    }

    private func reopenIfMoved() {
        guard let path else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let second = Int64(now.tv_sec)
        let last = lastCheck.load(ordering: .relaxed)
        guard second > last, lastCheck.compareExchange(expected: last, desired: second, ordering: .relaxed).exchanged else { return }
        var st = stat()
        let moved = lstat(path, &st) != 0 || lock.withLock { openedInode.map { $0.dev != UInt64(st.st_dev) || $0.ino != UInt64(st.st_ino) } ?? true }
        if moved { try? reopen() }
    }
}
