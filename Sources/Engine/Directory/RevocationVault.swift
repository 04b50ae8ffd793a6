import FoundationEssentials
import Glibc

/// Root-only copies of the seeds (`.top`, `.meta`) of credentials whose provider revokes on removal, so that a
/// credential swept by condor_credd can still be revoked at the provider. A copy lives as long as its credential
/// (rewritten when the seed rotates) and is erased once the revocation succeeded.
///
/// Copies are written atomically but not fsynced: a killed daemon loses nothing (the page cache survives it),
/// and after a restart the monitor copies every live `.top` again. Only the `.top` itself must survive a power
/// loss, and the monitor writes that one durably.
public struct RevocationVault: Sendable {
    /// `<state dir>/revocation`, mode 0700; files 0600.
    public let directory: String

    public init(stateDirectory: String) {
        directory = stateDirectory + "/revocation"
    }

    /// Stores the seed (and metadata) of `id`, atomically. The `.meta` copy is rewritten only when its bytes changed
    /// (the seed is copied because it changed; the `.meta` rarely does when the refresh token rotates).
    public func remember(_ id: CredentialID, seed: [UInt8], metadata: [UInt8]?) throws(SystemError) {
        let userDirectory = try userHandle(id.user, create: true)
        try AtomicWriter.write(seed, to: id.token.stem + ".top", in: userDirectory, mode: 0o600, durability: .atomic)
        if let metadata {
            if let existing = try? userDirectory.readFile(id.token.stem + ".meta"), existing == metadata { return }
            try AtomicWriter.write(metadata, to: id.token.stem + ".meta", in: userDirectory, mode: 0o600, durability: .atomic)
        } else {
            try userDirectory.removeFile(id.token.stem + ".meta")
        }
    }

    /// The stored seed and metadata of `id`, if any.
    public func recall(_ id: CredentialID) -> (seed: SeedFile, metadata: ClientMetadata?)? {
        guard let userDirectory = try? userHandle(id.user, create: false),
              let seed = (try? userDirectory.readFile(id.token.stem + ".top")) ?? nil else { return nil }
        let metadata = ((try? userDirectory.readFile(id.token.stem + ".meta")) ?? nil)
            .flatMap { try? ClientMetadata.parse($0, path: userDirectory.childPath(id.token.stem + ".meta")) }
        return (SeedFile.parse(seed), metadata)
    }

    /// Erases the copy of `id`.
    public func forget(_ id: CredentialID) {
        guard let userDirectory = try? userHandle(id.user, create: false) else { return }
        try? userDirectory.removeFile(id.token.stem + ".top")
        try? userDirectory.removeFile(id.token.stem + ".meta")
        rmdir(userDirectory.path)
    }

    /// Every credential with a stored copy.
    public func entries() -> [CredentialID] {
        guard let root = try? DirectoryHandle.open(path: directory), let users = try? root.entries() else { return [] }
        var ids: [CredentialID] = []
        for user in users where user.type == .directory && CredentialNames.isValidUser(user.name) {
            guard let handle = try? root.openChild(user.name), let files = try? handle.entries() else { continue }
            for file in files where file.name.hasSuffix(".top") {
                if let token = TokenName(stem: file.name.dropLast(4)) { ids.append(CredentialID(user: user.name, token: token)) }
            }
        }
        return ids
    }

    /// Removes the temporary files of copies interrupted by a hard kill (in the vault and its user directories);
    /// returns their paths.
    @discardableResult
    public func removeTemporaries() -> [String] {
        guard let root = try? DirectoryHandle.open(path: directory) else { return [] }
        var removed = AtomicWriter.removeOrphans(in: root).map(root.childPath)
        for user in (try? root.entries()) ?? [] where user.type == .directory && CredentialNames.isValidUser(user.name) {
            guard let handle = try? root.openChild(user.name) else { continue }
            removed += AtomicWriter.removeOrphans(in: handle).map(handle.childPath)
        }
        return removed
    }

    private func userHandle(_ user: String, create: Bool) throws(SystemError) -> DirectoryHandle {
        if create {
            for path in [directory, directory + "/" + user] where mkdir(path, 0o700) != 0 && errno != EEXIST {
                throw SystemError("create directory", path: path)
            }
        }
        return try DirectoryHandle.open(path: directory + "/" + user)
    }
}
