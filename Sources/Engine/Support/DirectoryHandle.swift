import CSystemCalls
import Glibc
import Synchronization

/// An open directory file descriptor, opened without following symlinks, used for `*at` system calls.
public final class DirectoryHandle: @unchecked Sendable {
    public let descriptor: Int32
    /// The path of the directory it was opened in (nil: `name` is the whole path), kept with the name rather than
    /// joined: a first scan keeps thousands of handles open, and their paths are wanted only for messages.
    private let parentPath: String?
    private let name: String
    /// Whether ``entries()`` read the descriptor before (the next listing rewinds it first).
    private let listedBefore = Atomic<Bool>(false)

    private init(descriptor: Int32, parentPath: String?, name: String) {
        self.descriptor = descriptor
        self.parentPath = parentPath
        self.name = name
    }

    /// The directory's path, as opened.
    public var path: String {
        guard let parentPath else { return name }
        return parentPath.hasSuffix("/") ? parentPath + name : parentPath + "/" + name
    }

    deinit { close(descriptor) }

    /// Opens `path` as a directory; refuses a symlink (`O_NOFOLLOW`).
    public static func open(path: String) throws(SystemError) -> DirectoryHandle {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open directory", path: path) }
        return DirectoryHandle(descriptor: fd, parentPath: nil, name: path)
    }

    /// Opens the child directory `name`; refuses a symlink.
    public func openChild(_ name: String) throws(SystemError) -> DirectoryHandle {
        let fd = openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open directory", path: childPath(name)) }
        return DirectoryHandle(descriptor: fd, parentPath: path, name: name)
    }

    /// Grows the process's descriptor table to hold `count` more descriptors in one step. A table the kernel grows
    /// as descriptors are opened doubles each time, and in a process with threads each growth waits for an RCU grace
    /// period (about 8 ms on this project's VM: some 70 ms to reach 16,384); one growth waits once, and none when
    /// ``DescriptorTable/grow(toHold:)`` made the table large enough at start. `F_DUPFD` takes the lowest free
    /// descriptor at or above its argument, so no open descriptor is touched.
    public static func reserveDescriptors(_ count: Int, near descriptor: Int32) {
        let target = Int32(clamping: Int(descriptor) + count + 64)
        let reserved = fcntl(descriptor, F_DUPFD_CLOEXEC, target)
        if reserved >= 0 { close(reserved) }
    }

    public func childPath(_ name: String) -> String { path.hasSuffix("/") ? path + name : path + "/" + name }

    /// One directory entry: its name and, where the file system reports it, its type.
    public struct Entry: Sendable {
        public var name: String
        public var type: FileStatus.FileType?
    }

    /// Lists the directory (without `.` and `..`): `getdents64(2)` on the handle's own descriptor, so a listing
    /// costs its reads and nothing else (no `opendir` around them).
    public func entries() throws(SystemError) -> [Entry] {
        var result: [Entry] = []
        try forEachEntry { result.append($0) }
        return result
    }

    /// ``entries()`` one at a time, as the reads return them: a listing of thousands (the credential directory's
    /// users) is not gathered into an array first.
    public func forEachEntry(_ body: (Entry) throws(SystemError) -> Void) throws(SystemError) {
        if listedBefore.exchange(true, ordering: .relaxed), lseek(descriptor, 0, SEEK_SET) != 0 {
            throw SystemError("read directory", path: path)
        }
        let capacity = 32 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let count = credmon_getdents64(descriptor, buffer, capacity)
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError("read directory", path: path)
            }
            if count == 0 { return }
            var offset = 0
            // struct linux_dirent64: d_ino (8 bytes), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated).
            while offset + 19 < count {
                let record = buffer + offset
                let length = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
                guard length > 19, offset + length <= count else { throw SystemError("read directory", path: path, errno: EIO) }
                offset += length
                let namePointer = (record + 19).assumingMemoryBound(to: CChar.self)
                if namePointer[0] == 0x2E && (namePointer[1] == 0 || (namePointer[1] == 0x2E && namePointer[2] == 0)) { continue }
                let type: FileStatus.FileType?
                switch Int32(record.load(fromByteOffset: 18, as: UInt8.self)) {
                case Int32(DT_REG): type = .regular
                case Int32(DT_DIR): type = .directory
                case Int32(DT_LNK): type = .symlink
                case Int32(DT_UNKNOWN): type = nil
                default: type = .other
                }
                try body(Entry(name: String(cString: namePointer), type: type))
            }
        }
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
