import Glibc

/// The parts of `stat(2)` the engine uses to notice that a file changed.
public struct FileStatus: Sendable, Equatable {
    public enum FileType: Sendable, Equatable { case regular, directory, symlink, other }

    public var type: FileType
    public var inode: UInt64
    public var size: Int64
    public var mode: UInt32
    public var uid: UInt32
    public var modified: Timestamp
    public var changed: Timestamp

    /// Seconds and nanoseconds since the epoch, as `stat(2)` reports them.
    public struct Timestamp: Sendable, Equatable, Comparable {
        public var seconds: Int
        public var nanoseconds: Int
        public static func < (a: Self, b: Self) -> Bool {
            (a.seconds, a.nanoseconds) < (b.seconds, b.nanoseconds)
        }
        public var epochSeconds: Double { Double(seconds) + Double(nanoseconds) / 1e9 }
    }

    init(_ st: stat) {
        switch st.st_mode & S_IFMT {
        case S_IFREG: type = .regular
        case S_IFDIR: type = .directory
        case S_IFLNK: type = .symlink
        default: type = .other
        }
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        mode = UInt32(st.st_mode & 0o7777)
        uid = UInt32(st.st_uid)
        modified = Timestamp(seconds: Int(st.st_mtim.tv_sec), nanoseconds: Int(st.st_mtim.tv_nsec))
        changed = Timestamp(seconds: Int(st.st_ctim.tv_sec), nanoseconds: Int(st.st_ctim.tv_nsec))
    }

    /// `fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW)`; nil when the file does not exist.
    public static func at(_ directory: Int32, _ name: String, path: @autoclosure () -> String) throws(SystemError) -> FileStatus? {
        var st = stat()
        if fstatat(directory, name, &st, AT_SYMLINK_NOFOLLOW) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SystemError("stat", path: path())
        }
        return FileStatus(st)
    }

    /// `fstat(2)` of an open descriptor (`path` names it in an error).
    public static func of(descriptor: Int32, path: @autoclosure () -> String) throws(SystemError) -> FileStatus {
        var st = stat()
        guard fstat(descriptor, &st) == 0 else { throw SystemError("stat", path: path()) }
        return FileStatus(st)
    }

    /// `lstat(2)` of a path; nil when it does not exist.
    public static func of(path: String) throws(SystemError) -> FileStatus? {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SystemError("stat", path: path)
        }
        return FileStatus(st)
    }
}

/// The identity of a file's content in 32 bytes: inode, size, modification and change times (nanoseconds).
/// Any replacement (rename), write, truncation or chmod changes it. The monitor keeps one per file it tracks.
public struct FileStamp: Hashable, Sendable {
    public var inode: UInt64
    public var size: Int64
    public var modified: Int64
    public var changed: Int64
}

extension FileStatus {
    /// This status as a ``FileStamp``.
    /// Times are folded into 64 bits with wrapping arithmetic: a file dated after 2262 or before 1677 (a restored
    /// backup, a wrong clock) must not trap, and a stamp only has to change when the time does.
    public var stamp: FileStamp {
        FileStamp(inode: inode, size: size, modified: Self.fold(modified), changed: Self.fold(changed))
    }

    private static func fold(_ time: Timestamp) -> Int64 {
        Int64(truncatingIfNeeded: time.seconds) &* 1_000_000_000 &+ Int64(truncatingIfNeeded: time.nanoseconds)
    }
}
