import Foundation
import Logging
import Testing
@_exported import CredmonTestKit  // TemporaryDirectory, eventually, ManualWallClock: for every file of this target
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// File-system checks done with plain system calls, independent of the module.
enum Files {
    /// The permission bits (including setuid/setgid/sticky) of `path`, not following a symlink.
    static func mode(_ path: String) -> mode_t? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return st.st_mode & 0o7777
    }

    /// The modification time of `path`.
    static func modified(_ path: String) -> Date? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9)
    }

    /// The status-change time (ctime) of `path`.
    static func changed(_ path: String) -> Date? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9)
    }

    /// Sets the modification time of `path`.
    static func setModified(_ path: String, _ date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }

    /// Every file name below `root` (recursively, not following symlinks).
    static func allNames(below root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var names: [String] = []
        while let next = enumerator.nextObject() as? String { names.append(next) }
        return names
    }
}

/// A logger that drops everything.
let quietLogger = Logger(label: "engine-tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// Builds JWT-shaped tokens (unsigned) for tests that only read claims.
enum FakeJWT {
    /// base64url without padding, done with Foundation.
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// `header.payload.signature` with `claims` (a JSON object text) as the payload.
    static func token(claims: String) -> String {
        base64URL(Data(#"{"alg":"ES256","typ":"JWT"}"#.utf8)) + "." + base64URL(Data(claims.utf8)) + "." + base64URL(Data("sig".utf8))
    }
}

/// A lock-protected value for sharing between tasks in a test.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    @discardableResult
    func update<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&value) } }
}

/// A credential directory of `users` user directories `u0`, `u1`, ..., each with `svc.top` (for the scanner's tests).
func userTree(users: Int, label: String) throws -> TemporaryDirectory {
    let root = try TemporaryDirectory(label)
    for index in 0..<users {
        try root.makeDirectory("u\(index)")
        try root.write("u\(index)/svc.top", "x")
    }
    return root
}

/// A temporary credential directory with one user directory, `user`, watched by a started watcher, and that
/// directory open for writes. Keep `root` alive while the files are used.
func watchedUserDirectory(_ user: String) throws -> (root: TemporaryDirectory, watcher: DirectoryWatcher, handle: DirectoryHandle) {
    let root = try TemporaryDirectory()
    let directory = try root.makeDirectory(user, mode: 0o700)
    let watcher = try DirectoryWatcher(root: root.path)
    #expect(watcher.watchUser(user))
    watcher.start()
    return (root, watcher, try DirectoryHandle.open(path: directory))
}

/// Whether descriptor `fd` is open on the directory at `path` (false once it is closed, or reused for another file).
func descriptor(_ fd: Int32, isOpenOn path: String) -> Bool {
    var opened = stat(), named = stat()
    return fstat(fd, &opened) == 0 && (opened.st_mode & S_IFMT) == S_IFDIR && lstat(path, &named) == 0
        && named.st_ino == opened.st_ino && named.st_dev == opened.st_dev
}
