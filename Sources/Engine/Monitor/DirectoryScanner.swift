import Foundation

/// One credential as found on disk: its `.top` and, if present, `.use`.
public struct CredentialSnapshot: Sendable {
    public var id: CredentialID
    public var seed: FileStatus
    public var access: FileStatus?
}

/// Something in the credential directory that is ignored, and why.
public struct ScanProblem: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }
}

/// Reads the credential directory: user directories, their `.top` / `.use` files, without following symlinks.
public struct DirectoryScanner: Sendable {
    public var root: String
    public var allowSpecialCharacters: Bool

    public init(root: String, allowSpecialCharacters: Bool) {
        self.root = root
        self.allowSpecialCharacters = allowSpecialCharacters
    }

    /// The result of a scan.
    public struct Result: Sendable {
        public var credentials: [CredentialSnapshot] = []
        public var users: Set<String> = []
        public var problems: [ScanProblem] = []
        /// Temporary files left by a hard kill: (user, file name).
        public var orphans: [(user: String, name: String)] = []
    }

    /// Lists the user directories of the root.
    public func users(problems: inout [ScanProblem]) throws(SystemError) -> [String] {
        let handle = try DirectoryHandle.open(path: root)
        var users: [String] = []
        for entry in try handle.entries() {
            var type = entry.type
            if type == nil { type = try FileStatus.at(handle.descriptor, entry.name, path: handle.childPath(entry.name))?.type }
            switch type {
            case .directory:
                if CredentialNames.isValidUser(entry.name) {
                    users.append(entry.name)
                } else {
                    problems.append(ScanProblem(path: handle.childPath(entry.name), problem: "not a valid user name (letters, digits, - + = _ . only); ignored"))
                }
            case .symlink:
                problems.append(ScanProblem(path: handle.childPath(entry.name), problem: "is a symlink; symlinks are never followed in the credential directory, ignored"))
            default:
                continue
            }
        }
        return users
    }

    /// Scans every user directory, in parallel chunks.
    public func scanAll(parallelism: Int = 2) async throws(SystemError) -> Result {
        var rootProblems: [ScanProblem] = []
        let users = try users(problems: &rootProblems)
        let chunkCount = max(1, min(parallelism, users.count / 256 + 1))
        let chunkSize = (users.count + chunkCount - 1) / max(1, chunkCount)
        var merged = Result(problems: rootProblems)
        merged.users = Set(users)
        await withTaskGroup(of: Result.self) { group in
            for chunkStart in stride(from: 0, to: users.count, by: max(1, chunkSize)) {
                let chunk = users[chunkStart..<min(users.count, chunkStart + chunkSize)]
                group.addTask {
                    var partial = Result()
                    for user in chunk { scanUser(user, into: &partial) }
                    return partial
                }
            }
            for await partial in group {
                merged.credentials.append(contentsOf: partial.credentials)
                merged.problems.append(contentsOf: partial.problems)
                merged.orphans.append(contentsOf: partial.orphans)
            }
        }
        return merged
    }

    /// Scans one user directory and appends what it finds.
    public func scanUser(_ user: String, into result: inout Result) {
        let path = root + "/" + user
        let directory: DirectoryHandle
        do {
            directory = try DirectoryHandle.open(path: path)
        } catch {
            if error.errno == ENOENT { return }
            result.problems.append(ScanProblem(path: path, problem: error.errno == ELOOP ? "is a symlink; ignored" : "cannot be read (\(error)); ignored"))
            return
        }
        guard let entries = try? directory.entries() else {
            result.problems.append(ScanProblem(path: path, problem: "cannot list it; ignored"))
            return
        }
        var seeds: [String] = []
        var accessNames: Set<String> = []
        for entry in entries {
            let name = entry.name
            if name.hasPrefix(AtomicWriter.temporaryPrefix) {
                result.orphans.append((user, name))
            } else if name.hasSuffix(".top") {
                if entry.type == .symlink {
                    result.problems.append(ScanProblem(path: directory.childPath(name), problem: "is a symlink; symlinks are never followed, ignored"))
                } else {
                    seeds.append(String(name.dropLast(4)))
                }
            } else if name.hasSuffix(".use") {
                accessNames.insert(String(name.dropLast(4)))
            }
        }
        for stem in seeds {
            guard let token = TokenName(stem: stem, allowSpecialCharacters: allowSpecialCharacters) else {
                result.problems.append(ScanProblem(path: directory.childPath(stem + ".top"), problem: "not a valid credential name (service[_handle], letters, digits, - + = . only, no trailing _); ignored"))
                continue
            }
            guard let seed = try? FileStatus.at(directory.descriptor, stem + ".top", path: ""), seed.type == .regular else { continue }
            let access = accessNames.contains(stem) ? (try? FileStatus.at(directory.descriptor, stem + ".use", path: "")) ?? nil : nil
            result.credentials.append(CredentialSnapshot(id: CredentialID(user: user, token: token), seed: seed, access: access))
        }
        result.users.insert(user)
    }
}
