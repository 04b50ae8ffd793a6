import Foundation
import Logging
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init(_ label: String = "engine-tests") throws {
        let path = FileManager.default.temporaryDirectory.path + "/\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `relative` inside the directory.
    func file(_ relative: String) -> String { path + "/" + relative }

    /// Writes UTF-8 text to `relative` (creating parent directories) and returns its path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        try write(relative, bytes: Array(text.utf8))
    }

    /// Writes bytes to `relative` (creating parent directories) and returns its path.
    @discardableResult
    func write(_ relative: String, bytes: [UInt8]) throws -> String {
        let target = file(relative)
        let parent = (target as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    /// Creates a directory `relative` with `mode` (exactly, whatever the umask).
    @discardableResult
    func makeDirectory(_ relative: String, mode: mode_t = 0o700) throws -> String {
        let target = file(relative)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        #expect(chmod(target, mode) == 0)
        return target
    }

    /// Makes `relative` a symlink to `destination`.
    @discardableResult
    func symlink(_ relative: String, to destination: String) throws -> String {
        let target = file(relative)
        try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: destination)
        return target
    }

    /// The contents of `relative` as text, or nil if it cannot be read.
    func text(_ relative: String) -> String? {
        FileManager.default.contents(atPath: file(relative)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether something (not following a final symlink) exists at `relative`.
    func exists(_ relative: String) -> Bool {
        var st = stat()
        return lstat(file(relative), &st) == 0
    }

    /// The names in `relative` ("" for the directory itself), sorted.
    func names(in relative: String = "") -> [String] {
        let target = relative.isEmpty ? path : file(relative)
        return ((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []).sorted()
    }
}

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

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(10),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

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
