import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The POSIX file operations behind key loading and key generation.
enum KeyFileIO {
    /// The largest key file accepted; real key files are a few KiB.
    static let maximumKeyFileSize = 1 << 20

    /// What is at a path (symlinks followed).
    enum Kind: Equatable {
        case missing
        case regularFile
        case other
    }

    /// What is at `path`; a path that cannot be examined for another reason than ENOENT counts as `.other`.
    static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT ? .missing : .other
        }
        return (info.st_mode & S_IFMT) == S_IFREG ? .regularFile : .other
    }

    /// The text of a small regular file.
    static func readKeyFile(_ path: String) throws(KeyError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let reason = errnoText()
            throw KeyError(.unreadableFile, path: path, message: "cannot open the key file (\(reason)); check the configured path and that credmon may read it")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw KeyError(.unreadableFile, path: path, message: "cannot examine the key file (\(errnoText())); check the configured path")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let what = (info.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a regular file"
            throw KeyError(.unreadableFile, path: path, message: "the key path is \(what); point it at the PEM key file")
        }
        guard Int(info.st_size) <= maximumKeyFileSize else {
            throw KeyError(.unreadableFile, path: path, message: "the file is larger than 1 MiB, far too large for a key file; check the configured path")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size) + 1)
        defer { bytes.wipe() }
        var chunk = [UInt8](repeating: 0, count: 16_384)
        defer { chunk.wipe() }
        while true {
            let result = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if result < 0 {
                if errno == EINTR { continue }
                throw KeyError(.unreadableFile, path: path, message: "cannot read the key file (\(errnoText())); check the file and the disk")
            }
            if result == 0 { break }
            bytes += chunk[0..<result]
            guard bytes.count <= maximumKeyFileSize else {
                throw KeyError(.unreadableFile, path: path, message: "the file is larger than 1 MiB, far too large for a key file; check the configured path")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Creates the parent directory of `path` and any missing ancestors with mode 0755.
    static func createParentDirectories(of path: String) throws(KeyError) {
        let parent = SignersText.deletingLastComponent(path)
        guard !parent.isEmpty else { return }
        try createDirectory(parent, for: path)
    }

    private static func createDirectory(_ directory: String, for path: String) throws(KeyError) {
        var info = stat()
        if stat(directory, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR { return }
            throw KeyError(.writeFailed, path: path, message: "cannot create the file because \(directory) is not a directory; fix the path")
        }
        guard errno == ENOENT else {
            throw KeyError(.writeFailed, path: path, message: "cannot examine the directory \(directory) (\(errnoText())); fix the path or its permissions")
        }
        let parent = SignersText.deletingLastComponent(directory)
        if !parent.isEmpty, parent != directory {
            try createDirectory(parent, for: path)
        }
        if mkdir(directory, 0o755) == 0 {
            _ = chmod(directory, 0o755)  // exactly 0755, whatever the umask
        } else if errno != EEXIST {
            throw KeyError(.writeFailed, path: path, message: "cannot create the directory \(directory) (\(errnoText())); create it or fix its parent's permissions")
        }
    }

    /// Creates `path` exclusively (O_CREAT|O_EXCL) with `mode`, writes `bytes` and fsyncs.
    /// Returns false if the file already exists. On any later failure the file is removed.
    static func writeExclusively(_ path: String, bytes: [UInt8], mode: mode_t) throws(KeyError) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw KeyError(.writeFailed, path: path, message: "cannot create the key file (\(errnoText())); check that the directory exists and is writable")
        }
        do throws(KeyError) {
            try writeAll(fd, bytes, path: path)
            guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
                throw KeyError(.writeFailed, path: path, message: "cannot finish writing the key file (\(errnoText())); check the disk")
            }
        } catch {
            close(fd)
            unlink(path)
            throw error
        }
        guard close(fd) == 0 else {
            let reason = errnoText()
            unlink(path)
            throw KeyError(.writeFailed, path: path, message: "cannot finish writing the key file (\(reason)); check the disk")
        }
        syncDirectory(of: path)
        return true
    }

    /// Replaces `path` atomically: writes a temporary file beside it with `mode`, fsyncs it, renames it over `path`.
    static func writeAtomically(_ path: String, bytes: [UInt8], mode: mode_t) throws(KeyError) {
        let directory = SignersText.deletingLastComponent(path)
        let name = SignersText.lastComponent(path)
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard try writeExclusively(temporary, bytes: bytes, mode: mode) else {
            throw KeyError(.writeFailed, path: path, message: "a temporary file with a random name already exists beside the file; retry")
        }
        guard rename(temporary, path) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw KeyError(.writeFailed, path: path, message: "cannot move the new file into place (\(reason)); check that the path is not a directory and the directory is writable")
        }
        syncDirectory(of: path)
    }

    /// Best-effort fsync of the directory holding `path`, so that a new name survives a crash.
    private static func syncDirectory(of path: String) {
        let directory = SignersText.deletingLastComponent(path)
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(KeyError) {
        var offset = 0
        while offset < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw KeyError(.writeFailed, path: path, message: "cannot write the key file (\(errnoText())); check the disk")
            }
            offset += result
        }
    }

    /// The current `errno` as text, e.g. "No such file or directory".
    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
