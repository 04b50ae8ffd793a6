import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system temporary directory, removed when the value is released.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "credmon-tests") throws {
        let path = FileManager.default.temporaryDirectory.path + "/\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// The path of `relative` inside the directory.
    public func file(_ relative: String) -> String { path + "/" + relative }

    /// Writes UTF-8 text to `relative` (creating parent directories) and returns its path.
    @discardableResult
    public func write(_ relative: String, _ text: String) throws -> String {
        try write(relative, bytes: Array(text.utf8))
    }

    /// Writes bytes to `relative` (creating parent directories) and returns its path.
    @discardableResult
    public func write(_ relative: String, bytes: [UInt8]) throws -> String {
        let target = file(relative)
        let parent = (target as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    /// Creates a directory `relative` with `mode` (exactly, whatever the umask).
    @discardableResult
    public func makeDirectory(_ relative: String, mode: mode_t = 0o700) throws -> String {
        let target = file(relative)
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        guard chmod(target, mode) == 0 else { throw CocoaError(.fileWriteNoPermission) }
        return target
    }

    /// Makes `relative` a symlink to `destination`.
    @discardableResult
    public func symlink(_ relative: String, to destination: String) throws -> String {
        let target = file(relative)
        try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: destination)
        return target
    }

    /// The contents of `relative` as text, or nil if it cannot be read.
    public func text(_ relative: String) -> String? {
        FileManager.default.contents(atPath: file(relative)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether something (not following a final symlink) exists at `relative`.
    public func exists(_ relative: String) -> Bool {
        var st = stat()
        return lstat(file(relative), &st) == 0
    }

    /// The names in `relative` (recursively), sorted; empty when it does not exist.
    public func allNames(in relative: String) -> [String] {
        (FileManager.default.subpaths(atPath: file(relative)) ?? []).sorted()
    }

    /// The names in `relative` ("" for the directory itself), sorted.
    public func names(in relative: String = "") -> [String] {
        let target = relative.isEmpty ? path : file(relative)
        return ((try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []).sorted()
    }
}
