import CredmonTestKit
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of a test helper (an external command failed, a file was missing).
struct TestSupportError: Error, CustomStringConvertible {
    let description: String
}

/// The result of running an external command.
struct CommandResult: Sendable {
    let status: Int32
    let stdout: Data
    let stderr: String

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs external commands (openssl, python3) for independent checks.
enum Shell {
    /// Runs `arguments` (looked up on PATH) in `directory`, feeding `input` on stdin.
    static func run(_ arguments: [String], input: Data? = nil, in directory: String? = nil) throws -> CommandResult {
        let result = try SpawnedCommand.run(arguments, input: input, in: directory)
        return CommandResult(status: result.status, stdout: result.stdout, stderr: String(decoding: result.stderr, as: UTF8.self))
    }

    /// Runs `openssl` and requires success; returns stdout.
    @discardableResult
    static func openssl(_ arguments: [String], input: Data? = nil, in directory: String? = nil) throws -> Data {
        let result = try run(["openssl"] + arguments, input: input, in: directory)
        guard result.status == 0 else {
            throw TestSupportError(description: "openssl \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.stderr)")
        }
        return result.stdout
    }
}

/// A fresh directory under the system temporary directory, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        let path = "\(base)/signers-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        self.path = path
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// The path of `name` inside the directory.
    func file(_ name: String) -> String { "\(path)/\(name)" }

    /// Writes `contents` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ contents: Data) throws -> String {
        let target = file(name)
        try contents.write(to: URL(fileURLWithPath: target))
        return target
    }

    /// Writes UTF-8 `text` to `name` and returns its path.
    @discardableResult
    func write(_ name: String, text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    /// The contents of `name`.
    func read(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: file(name)))
    }

    /// The names in the directory.
    func names() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}

/// File helpers.
enum Files {
    /// The permission bits of `path`.
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path)
    }

    static func text(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }
}

/// Conversions used to hand our output to independent verifiers.
enum SignatureFormats {
    /// A 64-byte ES256 `r || s` as a DER `ECDSA-Sig-Value`, the form `openssl dgst -verify` reads.
    static func derECDSA(fromRaw raw: Data) -> Data {
        func integer(_ bytes: Data) -> [UInt8] {
            var magnitude = Array(bytes.drop(while: { $0 == 0 }))
            if magnitude.isEmpty { magnitude = [0] }
            if magnitude[0] & 0x80 != 0 { magnitude.insert(0, at: 0) }
            return [0x02, UInt8(magnitude.count)] + magnitude
        }
        let body = integer(Data(raw.prefix(32))) + integer(Data(raw.suffix(32)))
        return Data([0x30, UInt8(body.count)] + body)
    }

    /// Standard base64url decoding done with Foundation, independent of the module's decoder.
    static func base64URLDecode(_ text: Substring) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard)
    }
}

/// Asserts on an error's text: it names `path` and contains no key material from `keyFileText`.
enum ErrorTextChecks {
    /// Base64 lines of a PEM text: the material that must never appear in an error.
    static func materialLines(of pemText: String) -> [String] {
        pemText.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.count >= 16 && !$0.hasPrefix("-----") && !$0.contains(":") }
    }

    static func expectSafeDescription(_ error: some CustomStringConvertible, path: String, keyFileText: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let description = error.description
        #expect(description.contains(path), "description should name \(path): \(description)", sourceLocation: sourceLocation)
        #expect(!description.contains("-----BEGIN"), "description leaks PEM: \(description)", sourceLocation: sourceLocation)
        for line in materialLines(of: keyFileText) {
            #expect(!description.contains(line), "description leaks key material", sourceLocation: sourceLocation)
            #expect(!description.contains(line.prefix(12)), "description leaks key material", sourceLocation: sourceLocation)
        }
    }
}
