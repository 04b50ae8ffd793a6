import Glibc
import Synchronization

/// How hard a write works to survive a crash.
public enum Durability: Sendable {
    /// Data and directory entry are fsynced: the new content survives power loss (refresh tokens, keys).
    case durable
    /// Atomic (readers see the old or the new file, never a torn one) but not fsynced (short-lived access tokens).
    case atomic
}

/// Writes files atomically: a temporary file beside the target (or in a staging directory on the same file system),
/// (fsync), final mode, close, `rename(2)` over the target, (fsync of the directory). Temporary names start with
/// ``AtomicWriter/temporaryPrefix`` so that orphans left by a hard kill can be recognised and removed at start.
public enum AtomicWriter {
    /// Prefix of every temporary file Credmon creates.
    public static let temporaryPrefix = ".credmon-tmp."

    /// Writes `bytes` to `name` in `directory` with `mode`; the temporary file is made in `staging` when given (see
    /// ``StagingDirectory``).
    public static func write(
        _ bytes: some Collection<UInt8>,
        to name: String,
        in directory: DirectoryHandle,
        staging: DirectoryHandle? = nil,
        mode: mode_t = 0o400,
        durability: Durability
    ) throws(SystemError) {
        try write(to: name, in: directory, staging: staging, mode: mode, durability: durability) { output in
            if bytes.withContiguousStorageIfAvailable({ output(UnsafeRawBufferPointer($0)) }) == nil {
                Array(bytes).withUnsafeBytes(output)
            }
        }
    }

    /// Writes `name` in `directory` with `mode` from the chunks `produce` passes to its output, each written as it
    /// comes: a large file (the status of 10,000 credentials) is never held whole in memory. The same steps and
    /// guarantees as the write of a whole buffer; a chunk that cannot be written fails the write, and the chunks
    /// after it are dropped.
    ///
    /// Given `staging` (a directory on the target's file system, see ``StagingDirectory``), the temporary file is
    /// made there and renamed into `directory`: the target's directory sees the file arrive and nothing else. Should
    /// the rename between them fail with `EXDEV` (a bind mount between them), the write starts over beside the target.
    public static func write(
        to name: String,
        in directory: DirectoryHandle,
        staging: DirectoryHandle? = nil,
        mode: mode_t = 0o400,
        durability: Durability,
        streaming produce: (_ output: (UnsafeRawBufferPointer) -> Void) -> Void
    ) throws(SystemError) {
        let home = staging ?? directory
        let temporary = temporaryName(for: name)
        // Created with its final mode when the umask leaves that mode whole (the descriptor is writable whatever the
        // mode says); otherwise 0600 and a chmod before the rename.
        let createdWithFinalMode = ProcessUmask.value & mode == 0
        let fd = openat(home.descriptor, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        createdWithFinalMode ? mode : 0o600)
        guard fd >= 0 else { throw SystemError("create temporary file", path: home.childPath(temporary)) }
        var isOpen = true, renamed = false
        defer {
            if isOpen { close(fd) }
            if !renamed { unlinkat(home.descriptor, temporary, 0) }
        }
        var writeError: Int32?
        produce { chunk in
            if writeError == nil, !writeAll(fd, chunk) { writeError = errno }
        }
        if let writeError { throw SystemError("write", path: home.childPath(temporary), errno: writeError) }
        if durability == .durable, fsync(fd) != 0 { throw SystemError("fsync", path: home.childPath(temporary)) }
        if !createdWithFinalMode, fchmod(fd, mode) != 0 { throw SystemError("chmod", path: home.childPath(temporary)) }
        // Closed before the rename: the close's inotify event (IN_CLOSE_WRITE) then names the temporary file, which
        // watchers ignore, not the target (one event per write instead of two). A failed close (a delayed write
        // error) fails the write.
        isOpen = false
        if close(fd) != 0 && errno != EINTR { throw SystemError("close", path: home.childPath(temporary)) }
        guard renameat(home.descriptor, temporary, directory.descriptor, name) == 0 else {
            if staging != nil && errno == EXDEV {
                unlinkat(home.descriptor, temporary, 0)
                renamed = true  // nothing left to remove
                return try write(to: name, in: directory, staging: nil, mode: mode, durability: durability, streaming: produce)
            }
            throw SystemError("rename into place", path: directory.childPath(name))
        }
        renamed = true
        if durability == .durable { try directory.sync() }
    }

    /// A temporary name for a write of `name`: ``temporaryPrefix``, `name`, and `.<pid>-<counter>` in base 36, so
    /// that a sweep can tell a write in progress (its writer lives) from one a hard kill left.
    public static func temporaryName(for name: String) -> String {
        temporaryPrefix + name + "." + uniqueSuffix()
    }

    /// Whether the temporary file `name` was left by a writer that is gone: its process ID (see
    /// ``temporaryName(for:)``) names no live process. The daemon and credmon-web write into the same directories
    /// and start together under condor_master: a sweep at start must not remove the other's write in progress. A
    /// live process under a reused ID keeps a leftover until a later sweep; this process's own writes are never
    /// abandoned; a name without a process ID (an older version's) is.
    public static func isAbandoned(_ name: String) -> Bool {
        guard name.hasPrefix(temporaryPrefix), let dot = name.lastIndex(of: "."),
              let dash = name[dot...].firstIndex(of: "-"),
              let pid = Int32(name[name.index(after: dot)..<dash], radix: 36), pid > 0 else { return true }
        if pid == processID { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Removes temporary files whose writer is gone (see ``isAbandoned(_:)``: a hard kill); returns their names.
    @discardableResult
    public static func removeOrphans(in directory: DirectoryHandle) -> [String] {
        guard let entries = try? directory.entries() else { return [] }
        var removed: [String] = []
        for entry in entries where entry.name.hasPrefix(temporaryPrefix) && isAbandoned(entry.name) {
            if (try? directory.removeFile(entry.name)) != nil { removed.append(entry.name) }
        }
        return removed
    }

    /// Writes every byte (retrying short writes and EINTR); false with errno set on failure.
    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// `<pid>-<counter>`: unique among the writers sharing a directory (the daemon and credmon-web are separate
    /// processes) without a system call; `O_EXCL` refuses a name that exists all the same.
    private static func uniqueSuffix() -> String {
        let count = temporaryCounter.add(1, ordering: .relaxed).newValue
        return String(processID, radix: 36) + "-" + String(count, radix: 36)
    }

    private static let processID = getpid()
    private static let temporaryCounter = Atomic<UInt64>(0)
}
