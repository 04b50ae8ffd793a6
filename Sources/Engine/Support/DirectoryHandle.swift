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

    /// Reads a regular file below this directory without following symlinks or blocking; at most `limit` bytes
    /// (see ``SafeFile``). Nil when it does not exist.
    public func readFile(_ name: String, limit: Int = SafeFile.defaultLimit) throws(SystemError) -> [UInt8]? {
        try SafeFile.read(name, in: self, limit: limit)?.bytes
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
