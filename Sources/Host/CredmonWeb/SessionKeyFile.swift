import Engine
import Glibc

/// `$CD/wsgi_session_key` (contract §B.3.8): the secret that protects login sessions, shared by every credmon-web
/// process and kept across restarts.
///
/// Created once without races: the new key is written completely to a temporary file and then hard-linked into
/// place, which fails if another process got there first (whose key is then used). A file shorter than 16 bytes (the
/// Flask app's race could leave one) is replaced atomically.
public enum SessionKeyFile {
    public static let name = "wsgi_session_key"
    static let keyLength = 24
    static let minimumLength = 16

    /// Reads the key, creating it (mode 0400) if it is missing or too short.
    public static func loadOrCreate(in directory: DirectoryHandle) throws(SystemError) -> [UInt8] {
        for _ in 0..<3 {
            if let existing = try directory.readFile(name, limit: 4096), existing.count >= minimumLength {
                return Array(existing.prefix(keyLength))
            }
            let fresh = randomBytes(keyLength)
            if try directory.readFile(name, limit: 4096) != nil {
                // Too short: replace it (rename is atomic; a concurrent replacement of the same bad file is harmless).
                try AtomicWriter.write(fresh, to: name, in: directory, mode: 0o400, durability: .durable)
                continue
            }
            if try link(fresh, in: directory) { return fresh }
        }
        throw SystemError("create the session key (it keeps changing)", path: directory.childPath(name), errno: EAGAIN)
    }

    /// Writes `key` to a temporary file and links it to ``name``; false if the name exists already.
    private static func link(_ key: [UInt8], in directory: DirectoryHandle) throws(SystemError) -> Bool {
        let temporary = AtomicWriter.temporaryName(for: name)
        let fd = openat(directory.descriptor, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o400)
        guard fd >= 0 else { throw SystemError("create temporary file", path: directory.childPath(temporary)) }
        defer { unlinkat(directory.descriptor, temporary, 0) }
        let written = key.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == key.count, synced else { throw SystemError("write", path: directory.childPath(temporary)) }
        if linkat(directory.descriptor, temporary, directory.descriptor, name, 0) == 0 {
            try directory.sync()
            return true
        }
        if errno == EEXIST { return false }
        throw SystemError("link into place", path: directory.childPath(name))
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
