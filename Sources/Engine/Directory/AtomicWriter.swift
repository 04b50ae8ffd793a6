import Glibc

/// How hard a write works to survive a crash.
public enum Durability: Sendable {
    /// Data and directory entry are fsynced: the new content survives power loss (refresh tokens, keys).
    case durable
    /// Atomic (readers see the old or the new file, never a torn one) but not fsynced (short-lived access tokens).
    case atomic
}

/// Writes files atomically: a temporary file beside the target, (fsync), final mode, `rename(2)` over the target,
/// (fsync of the directory). Temporary names start with ``AtomicWriter/temporaryPrefix`` so that orphans left by a
/// hard kill can be recognised and removed at start.
public enum AtomicWriter {
    /// Prefix of every temporary file Credmon creates.
    public static let temporaryPrefix = ".credmon-tmp."

    /// Writes `bytes` to `name` in `directory` with `mode`.
    public static func write(
        _ bytes: some Collection<UInt8>,
        to name: String,
        in directory: DirectoryHandle,
        mode: mode_t = 0o400,
        durability: Durability
    ) throws(SystemError) {
        let temporary = temporaryPrefix + name + "." + randomSuffix()
        let fd = openat(directory.descriptor, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemError("create temporary file", path: directory.childPath(temporary)) }
        var renamed = false
        defer {
            close(fd)
            if !renamed { unlinkat(directory.descriptor, temporary, 0) }
        }
        let contiguous = Array(bytes)
        var offset = 0
        while offset < contiguous.count {
            let n = contiguous.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("write", path: directory.childPath(temporary))
            }
            offset += n
        }
        if durability == .durable, fsync(fd) != 0 { throw SystemError("fsync", path: directory.childPath(temporary)) }
        guard fchmod(fd, mode) == 0 else { throw SystemError("chmod", path: directory.childPath(temporary)) }
        guard renameat(directory.descriptor, temporary, directory.descriptor, name) == 0 else {
            throw SystemError("rename into place", path: directory.childPath(name))
        }
        renamed = true
        if durability == .durable { try directory.sync() }
    }

    /// Removes temporary files this program left behind (after a hard kill); returns their names.
    @discardableResult
    public static func removeOrphans(in directory: DirectoryHandle) -> [String] {
        guard let entries = try? directory.entries() else { return [] }
        var removed: [String] = []
        for entry in entries where entry.name.hasPrefix(temporaryPrefix) {
            if (try? directory.removeFile(entry.name)) != nil { removed.append(entry.name) }
        }
        return removed
    }

    private static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        return String(value, radix: 36)
    }
}
