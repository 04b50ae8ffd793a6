import FoundationEssentials
import Glibc

/// The one writer of a credential's files (contract §B.3): `<token>.meta`, `<token>.top`, `<token>.use` in a
/// user's directory, each 0400, atomic, never following a symlink. The daemon stores renewals with it and
/// credmon-web stores logins with it.
///
/// Order is the contract: `.meta` first (the daemon acts on a new `.top` at once and may need its client), the seed
/// durably before the access token (a refresh token must never be lost), `.use` last (condor_credd takes its
/// existence to mean "ready").
public enum CredentialFiles {
    /// Writes what a provider returned. Blocking (fsync); the daemon runs it on ``BlockingIO``. `staging`: where the
    /// temporary files are made (see ``StagingDirectory``); nil: beside their targets.
    /// - Returns: the new `.top`'s stamp when a seed was written.
    @discardableResult
    public static func store(_ update: CredentialUpdate, stem: String, in userDirectory: DirectoryHandle,
                             staging: DirectoryHandle? = nil, accessTokenDurability: Durability) throws(SystemError) -> FileStamp? {
        if let metadata = update.metadata {
            try AtomicWriter.write(metadata, to: stem + ".meta", in: userDirectory, staging: staging, mode: 0o400, durability: .durable)
        }
        var seedStamp: FileStamp?
        if let seed = update.rotatedSeed {
            seedStamp = try storeSeed(seed, stem: stem, in: userDirectory, staging: staging)
        }
        try AtomicWriter.write(update.accessTokenFile, to: stem + ".use", in: userDirectory, staging: staging, mode: 0o400,
                               durability: accessTokenDurability)
        return seedStamp
    }

    /// Writes a seed (`.top`) durably and nothing else. Returns its stamp.
    @discardableResult
    public static func storeSeed(_ seed: [UInt8], stem: String, in userDirectory: DirectoryHandle,
                                 staging: DirectoryHandle? = nil) throws(SystemError) -> FileStamp? {
        try AtomicWriter.write(seed, to: stem + ".top", in: userDirectory, staging: staging, mode: 0o400, durability: .durable)
        return try FileStatus.at(userDirectory.descriptor, stem + ".top", path: userDirectory.childPath(stem + ".top"))?.stamp
    }

    /// Removes a credential whose seed is dead at its source (HTCondor's Vault credmon on `permission denied`):
    /// `.top` first, so that condor_credd asks for a new one at the next submission even if the daemon stops in
    /// between, then `.use`. The `.top` is removed only while it is still the one the provider was given
    /// (`seedStamp`): a new one condor_credd stored meanwhile stays, and so does the `.use`.
    /// - Returns: whether the credential was removed.
    @discardableResult
    public static func discard(stem: String, seedStamp: FileStamp?, in userDirectory: DirectoryHandle) throws(SystemError) -> Bool {
        let current = try FileStatus.at(userDirectory.descriptor, stem + ".top", path: userDirectory.childPath(stem + ".top"))
        if let current, let seedStamp, current.stamp != seedStamp { return false }
        try userDirectory.removeFile(stem + ".top")
        try userDirectory.removeFile(stem + ".use")
        return true
    }

    /// Opens `$CD/<user>`, creating it (0700) when `create` is set and it is missing; refuses a symlink.
    public static func userDirectory(_ user: String, in root: DirectoryHandle, create: Bool) throws(SystemError) -> DirectoryHandle {
        if create && mkdirat(root.descriptor, user, 0o700) != 0 && errno != EEXIST {
            throw SystemError("create the user directory", path: root.childPath(user))
        }
        return try root.openChild(user)
    }
}
