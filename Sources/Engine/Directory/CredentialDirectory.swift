import Glibc

/// The credential directory (`$CD`, `SEC_CREDENTIAL_DIRECTORY_OAUTH`): validation, and the files Credmon owns at
/// its top level (`pid`, `CREDMON_COMPLETE`).
public struct CredentialDirectory: Sendable {
    public let path: String

    /// Name of the marker touched after every full pass.
    public static let completeMarker = "CREDMON_COMPLETE"
    /// Name of the file holding the daemon's PID (credd sends SIGHUP to it).
    public static let pidFile = "pid"

    public init(path: String) { self.path = path }

    /// Why the directory cannot be used, with what to do.
    public struct ValidationError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var problem: String
        public var fix: String
        /// The directory `path` leads to when it is a symlink (nil otherwise, or when it cannot be resolved).
        public var target: String? = nil
        public var description: String {
            "credential directory \(path)\(target.map { " (a symlink to \($0))" } ?? ""): \(problem); \(fix)"
        }
    }

    /// The directory to use, resolved once at start (contract §B.1.1): when `path` is a symlink, its target, provided
    /// every link on the way and the target are owned by root or by the user this process runs as (so nobody else can
    /// redirect the daemon) and the target passes ``prepare()``; otherwise this directory, prepared. A link to a
    /// missing target is refused, not created through.
    public func resolvedForUse() throws(ValidationError) -> CredentialDirectory {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else {
            try prepare()
            return self
        }
        var hop = path
        for _ in 0..<16 {
            guard lstat(hop, &st) == 0, st.st_mode & S_IFMT == S_IFLNK else { break }
            let next = Self.readLink(hop)
            guard Self.isTrustedOwner(st.st_uid) else {
                throw ValidationError(
                    path: path,
                    problem: "the symlink \(hop) is owned by uid \(st.st_uid), not by root\(geteuid() == 0 ? "" : " or uid \(geteuid()) (the user credmon runs as)")",
                    fix: "make root own it (chown -h root \(hop)) or point the configuration at the real directory",
                    target: next)
            }
            guard let next else {
                throw ValidationError(path: path, problem: "cannot read the symlink \(hop) (\(String(cString: strerror(errno))))",
                                      fix: "point the configuration at the real directory")
            }
            hop = next.hasPrefix("/") ? next : Self.directoryName(hop) + "/" + next
        }
        guard let pointer = realpath(path, nil) else {
            let reason = String(cString: strerror(errno))
            throw ValidationError(path: path, problem: "is a symlink whose target \(hop) cannot be reached (\(reason))",
                                  fix: "create the target (owner root, group condor, mode 2770) or fix the link", target: hop)
        }
        let real = String(cString: pointer)
        free(pointer)
        guard stat(real, &st) == 0 else {
            throw ValidationError(path: path, problem: "cannot stat the target (\(String(cString: strerror(errno))))",
                                  fix: "check the target", target: real)
        }
        guard Self.isTrustedOwner(st.st_uid) else {
            throw ValidationError(
                path: path,
                problem: "the target is owned by uid \(st.st_uid), not by root\(geteuid() == 0 ? "" : " or uid \(geteuid()) (the user credmon runs as)")",
                fix: "run: chown root \(real) (HTCondor expects owner root, group condor, mode 2770)", target: real)
        }
        let resolved = CredentialDirectory(path: real)
        do {
            try resolved.prepare()
        } catch {
            throw ValidationError(path: path, problem: "its target \(real): " + error.problem, fix: error.fix, target: real)
        }
        return resolved
    }

    /// Root, or the user this process runs as.
    static func isTrustedOwner(_ uid: uid_t) -> Bool { uid == 0 || uid == geteuid() }

    private static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Creates the directory (mode 02770) if it is missing; refuses one with any "other" permission bit, one that is
    /// a symlink or not a directory, or one this process cannot read, write and search.
    public func prepare() throws(ValidationError) {
        var st = stat()
        if lstat(path, &st) != 0 {
            guard errno == ENOENT else { throw ValidationError(path: path, problem: "cannot stat it (\(String(cString: strerror(errno))))", fix: "check the path and its parents") }
            let previous = umask(0o007)
            defer { umask(previous) }
            if mkdir(path, 0o2770) != 0 && errno != EEXIST {
                throw ValidationError(path: path, problem: "cannot create it (\(String(cString: strerror(errno))))", fix: "create it as root:condor with mode 2770")
            }
            _ = chmod(path, 0o2770)
            guard lstat(path, &st) == 0 else { throw ValidationError(path: path, problem: "vanished after creation", fix: "check the file system") }
        }
        if st.st_mode & S_IFMT == S_IFLNK {
            throw ValidationError(path: path, problem: "is a symlink", fix: "point the configuration at the real directory")
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw ValidationError(path: path, problem: "is not a directory", fix: "remove it or choose another path")
        }
        let mode = st.st_mode & 0o7777
        if mode & 0o007 != 0 {
            throw ValidationError(
                path: path,
                problem: "permissions \(String(mode, radix: 8)) give access to other users",
                fix: "run: chmod o-rwx \(path) (HTCondor expects mode 2770, owner root, group condor)")
        }
        guard access(path, R_OK | W_OK | X_OK) == 0 else {
            throw ValidationError(path: path, problem: "this process cannot read, write and search it", fix: "run credmon as root or fix the owner")
        }
    }

    /// Opens the directory.
    public func open() throws(SystemError) -> DirectoryHandle { try DirectoryHandle.open(path: path) }

    /// Writes `pid` (decimal, no newline), atomically.
    public func writePID(_ pid: Int32) throws(SystemError) {
        let handle = try open()
        try AtomicWriter.write(Array(String(pid).utf8), to: Self.pidFile, in: handle, mode: 0o644, durability: .atomic)
    }

    /// Removes `pid` if it still names this process.
    public func removePID(ifItIs pid: Int32) {
        guard let handle = try? open(), let bytes = try? handle.readFile(Self.pidFile, limit: 64),
              String(decoding: bytes, as: UTF8.self) == String(pid) else { return }
        try? handle.removeFile(Self.pidFile)
    }

    /// Removes `CREDMON_COMPLETE` if it is a regular file.
    public func removeCompleteMarker() {
        guard let handle = try? open(), let status = try? FileStatus.at(handle.descriptor, Self.completeMarker, path: ""),
              status.type == .regular else { return }
        try? handle.removeFile(Self.completeMarker)
    }

    /// Creates or touches `CREDMON_COMPLETE`. Refuses (without blocking) anything that is not a regular file: a
    /// symlink, a FIFO, a device.
    public func touchCompleteMarker() throws(SystemError) {
        let handle = try open()
        let fd: Int32
        do {
            fd = try SafeFile.openForAppend(name: Self.completeMarker, relativeTo: handle.descriptor,
                                            displayPath: handle.childPath(Self.completeMarker), mode: 0o644)
        } catch where error.errno == 0 {
            throw SystemError(error.operation, path: error.path, errno: 0,
                              advice: "remove it; credmon creates the marker again at the end of the next pass")
        }
        defer { close(fd) }
        guard futimens(fd, nil) == 0 else { throw SystemError("touch", path: handle.childPath(Self.completeMarker)) }
    }
}
