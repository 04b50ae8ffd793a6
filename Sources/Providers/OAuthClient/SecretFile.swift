import FoundationEssentials
import Engine

/// A client secret file as HTCondor's client and Pelican credmons read it (`open(...).read().strip()`), with
/// GenericOAuth's safety: read through ``SafeFile`` (no symlink, FIFO or device; at most 64 KiB), refused when group
/// or others may read it. The secret is the first line, surrounding white space stripped; it must not be empty.
public enum SecretFile {
    /// Why the secret cannot be used, and what to do.
    public struct Problem: Error {
        public var message: String
        public var fix: String?
    }

    public static let maximumSize = 64 << 10

    /// The secret, or why there is none.
    public static func read(_ path: String) -> Result<String, Problem> {
        let contents: SafeFile.Contents
        do {
            guard let read = try SafeFile.read(path: path, limit: maximumSize) else {
                return .failure(Problem(message: "cannot read \(path) (it does not exist)", fix: "create it (mode 0600) or fix the path"))
            }
            contents = read
        } catch {
            return .failure(Problem(message: "cannot read \(error)"))
        }
        guard contents.status.mode & 0o077 == 0 else {
            return .failure(Problem(message: "\(path) is readable by group or others (mode \(String(contents.status.mode & 0o777, radix: 8)))",
                                    fix: "run chmod 600 \(path)"))
        }
        var bytes = contents.bytes
        defer { for index in bytes.indices { bytes[index] = 0 } }
        let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
        let secret = String(decoding: line, as: UTF8.self).trimmingSpaces()
        guard !secret.isEmpty else { return .failure(Problem(message: "\(path) is empty (its first line holds no secret)", fix: "write the client secret into it")) }
        guard secret.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            return .failure(Problem(message: "\(path) holds control characters in its first line", fix: "write the client secret alone on the first line"))
        }
        return .success(secret)
    }

    /// The secret of `client_secret_file` for a fragment being read, or nil after recording why there is none as an
    /// error on that key.
    public static func read(_ path: String, for fragment: inout FragmentReader, key: String = "client_secret_file") -> String? {
        switch read(path) {
        case .success(let secret): return secret
        case .failure(let problem):
            fragment.fail(key, problem.message, fix: problem.fix)
            return nil
        }
    }
}
