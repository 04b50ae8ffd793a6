import Glibc

/// Opens files that someone else may have placed or replaced: never through a symlink (`O_NOFOLLOW`), never
/// blocking on a FIFO or a device (`O_NONBLOCK`), never inherited by a child (`O_CLOEXEC`), and only when `fstat`
/// of the opened descriptor says it is a regular file. Reads stop at a size cap, so `/dev/zero` or a huge file
/// cannot exhaust memory. Errors name the file and say what to do.
public enum SafeFile {
    /// The default cap on what is read: 1 MiB.
    public static let defaultLimit = 1 << 20

    /// What was read, and the status of the descriptor it was read from.
    public struct Contents: Sendable {
        public var bytes: [UInt8]
        public var status: FileStatus
    }

    /// Reads the regular file at `path` (its last component is never followed); nil when it does not exist.
    public static func read(path: String, limit: Int = defaultLimit) throws(SystemError) -> Contents? {
        try read(name: path, relativeTo: AT_FDCWD, displayPath: path, limit: limit)
    }

    /// Reads the regular file `name` of `directory`; nil when it does not exist.
    public static func read(_ name: String, in directory: DirectoryHandle, limit: Int = defaultLimit) throws(SystemError) -> Contents? {
        try read(name: name, relativeTo: directory.descriptor, displayPath: directory.childPath(name), limit: limit)
    }

    /// Reads `name` relative to the directory descriptor `directory` (or `AT_FDCWD`); nil when it does not exist.
    public static func read(name: String, relativeTo directory: Int32, displayPath: String, limit: Int) throws(SystemError) -> Contents? {
        let fd = openat(directory, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        if fd < 0 {
            let code = errno
            if code == ENOENT { return nil }
            throw refusal(opening: name, relativeTo: directory, displayPath: displayPath, errno: code, action: "read")
        }
        defer { close(fd) }
        let status = try regularStatus(fd, displayPath: displayPath)
        let bytes = try readAll(fd, displayPath: displayPath, expected: Int(clamping: status.size), limit: limit)
        return Contents(bytes: bytes, status: status)
    }

    /// Opens `name` relative to `directory` (or `AT_FDCWD`) for appending, creating it with `mode` if it is missing;
    /// refuses anything but a regular file. Returns the descriptor (the caller closes it).
    public static func openForAppend(name: String, relativeTo directory: Int32, displayPath: String, mode: mode_t) throws(SystemError) -> Int32 {
        let fd = openat(directory, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, mode)
        if fd < 0 {
            throw refusal(opening: name, relativeTo: directory, displayPath: displayPath, errno: errno, action: "write")
        }
        do {
            _ = try regularStatus(fd, displayPath: displayPath)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// What a file of this `stat` mode is, in words ("a FIFO (named pipe)"); nil for a regular file.
    public static func describe(mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }

    private static func regularStatus(_ fd: Int32, displayPath: String) throws(SystemError) -> FileStatus {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("stat", path: displayPath) }
        if let kind = describe(mode: st.st_mode) {
            throw SystemError("refused: it is \(kind), not a regular file", path: displayPath, errno: 0,
                              advice: "replace it with a regular file or fix the configured path")
        }
        return FileStatus(st)
    }

    /// Explains a failed open: a symlink, a FIFO without a reader (`ENXIO` for writers), or the system's reason.
    private static func refusal(opening name: String, relativeTo directory: Int32, displayPath: String, errno code: Int32, action: String) -> SystemError {
        var st = stat()
        if fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) == 0, let kind = describe(mode: st.st_mode) {
            if st.st_mode & S_IFMT == S_IFLNK {
                return SystemError("refused: it is a symbolic link, which credmon never follows", path: displayPath, errno: 0,
                                   advice: "replace the link with the file itself")
            }
            return SystemError("refused: it is \(kind), not a regular file", path: displayPath, errno: 0,
                               advice: "replace it with a regular file or fix the configured path")
        }
        let advice = code == EACCES || code == EPERM ? "check its owner and permissions" : nil
        return SystemError("open to \(action)", path: displayPath, errno: code, advice: advice)
    }

    private static func readAll(_ fd: Int32, displayPath: String, expected: Int, limit: Int) throws(SystemError) -> [UInt8] {
        // One byte past the expected size shows whether the file grew. A size of 0 is what /proc reports for every
        // file, so that starts at a page rather than at one byte doubled a dozen times.
        let first = expected > 0 ? min(expected, limit) + 1 : min(4096, limit + 1)
        var buffer = [UInt8](repeating: 0, count: max(1, first))
        var total = 0
        while true {
            if total == buffer.count {
                guard buffer.count <= limit else { break }
                buffer.append(contentsOf: repeatElement(0, count: min(buffer.count, limit + 1 - buffer.count)))
            }
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", path: displayPath)
            }
            if n == 0 { break }
            total += n
        }
        guard total <= limit else {
            throw SystemError("refused: it is larger than \(limit) bytes", path: displayPath, errno: 0,
                              advice: "check that the configured path names the right file")
        }
        return Array(buffer[0..<total])
    }
}
