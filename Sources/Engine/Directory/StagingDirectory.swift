import Glibc

/// Where the daemon's writes into user directories begin: `<state directory>/staging`, Credmon's own directory on
/// the credential directory's file system. A file written there and renamed into `$CD/<user>/` raises a single
/// inotify event in the user's directory (its arrival), where a temporary file beside the target raised four (its
/// creation, its close, its departure and the arrival): three events per token that every watcher of the user
/// directories (the daemon's own among them) had to read and pass over. The reference credmon writes its temporary
/// files outside the user directories too (in `$CD` itself).
///
/// Only the daemon uses it: credmon-web runs as condor and writes beside the target, as before.
public enum StagingDirectory {
    /// The staging directory's name in the state directory.
    public static let name = "staging"

    /// Opens `<stateDirectory>/staging`, creating it (0700) when it is missing. Nil, and writes begin beside their
    /// targets as without it, when it cannot be used: not on the credential directory's file system (a rename
    /// between the two would fail), a symlink, not a directory, not owned by this user or open to others, or not
    /// creatable.
    public static func open(stateDirectory: String, credentialDirectory: String) -> DirectoryHandle? {
        guard let state = try? DirectoryHandle.open(path: stateDirectory) else { return nil }
        if mkdirat(state.descriptor, name, 0o700) != 0 && errno != EEXIST { return nil }
        guard let staging = try? state.openChild(name) else { return nil }
        var own = stat(), credentials = stat()
        guard fstat(staging.descriptor, &own) == 0, stat(credentialDirectory, &credentials) == 0,
              own.st_dev == credentials.st_dev, own.st_uid == geteuid(), own.st_mode & 0o077 == 0 else { return nil }
        return staging
    }
}
