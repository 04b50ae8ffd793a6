import Glibc

/// An open directory file descriptor, opened without following symlinks, used for `*at` system calls.
public final class DirectoryHandle: @unchecked Sendable {
    public let descriptor: Int32
    public let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Opens `path` as a directory; refuses a symlink (`O_NOFOLLOW`).
    public static func open(path: String) throws(SystemError) -> DirectoryHandle {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open directory", path: path) }
        return DirectoryHandle(descriptor: fd, path: path)
    }

    /// Opens the child directory `name`; refuses a symlink.
    public func openChild(_ name: String) throws(SystemError) -> DirectoryHandle {
        let fd = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open directory", path: childPath(name)) }
        return DirectoryHandle(descriptor: fd, path: childPath(name))
    }

    public func childPath(_ name: String) -> String { path.hasSuffix("/") ? path + name : path + "/" + name }

    /// One directory entry: its name and, where the file system reports it, its type.
    public struct Entry: Sendable {
        public var name: String
        public var type: FileStatus.FileType?
    }

    /// Lists the directory (without `.` and `..`).
    public func entries() throws(SystemError) -> [Entry] {
        let dupFD = dup(descriptor)
        guard dupFD >= 0, let dir = fdopendir(dupFD) else {
            throw SystemError("read directory", path: path)
        }
        defer { closedir(dir) }
        rewinddir(dir)
        var result: [Entry] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let type: FileStatus.FileType?
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): type = .regular
            case Int32(DT_DIR): type = .directory
            case Int32(DT_LNK): type = .symlink
            case Int32(DT_UNKNOWN): type = nil
            default: type = .other
            }
            result.append(Entry(name: name, type: type))
        }
        return result
    }

    /// Reads a regular file below this directory without following symlinks; at most `limit` bytes.
    public func readFile(_ name: String, limit: Int = 1 << 20) throws(SystemError) -> [UInt8]? {
        let fd = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw SystemError(errno == ELOOP ? "open (it is a symlink, which is never followed)" : "open", path: childPath(name))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemError("stat", path: childPath(name)) }
        guard st.st_mode & S_IFMT == S_IFREG else { throw SystemError("read (not a regular file)", path: childPath(name), errno: EINVAL) }
        var buffer = [UInt8](repeating: 0, count: min(Int(st.st_size) + 1, limit + 1))
        var total = 0
        while total < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, $0.count - total) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemError("read", path: childPath(name))
            }
            if n == 0 { break }
            total += n
            if total == buffer.count && buffer.count <= limit { buffer.append(contentsOf: [UInt8](repeating: 0, count: min(buffer.count, limit + 1 - buffer.count))) }
        }
        guard total <= limit else { throw SystemError("read (file larger than \(limit) bytes)", path: childPath(name), errno: EFBIG) }
        return Array(buffer[0..<total])
    }

    /// Removes a file below this directory; a missing file is not an error.
    public func removeFile(_ name: String) throws(SystemError) {
        if unlinkat(descriptor, name, 0) != 0 && errno != ENOENT {
            throw SystemError("remove", path: childPath(name))
        }
    }

    /// `fsync` of the directory itself, making renames in it durable.
    public func sync() throws(SystemError) {
        if fsync(descriptor) != 0 { throw SystemError("fsync directory", path: path) }
    }
}
