import FoundationEssentials
import Logging

extension Monitor {
    /// Cleans up after the scan of a pass. At start: the temporary files of writes interrupted by a hard kill (their
    /// writer is gone; credmon-web's writes in progress stay), in `$CD`, every user directory, the state directory,
    /// its staging directory and the revocation vault. At start and in every deep pass:
    /// key files older than ``LeftoverFiles/keyFileLifetime`` (by ctime, on the monitor's clock), and the vault's
    /// copies of credentials whose provider is gone or no longer revokes on removal.
    ///
    /// Runs on the actor without suspending, so it never races the status file, which is written on the actor too.
    func sweepLeftovers(after scan: DirectoryScanner.Result, first: Bool, deep: Bool) {
        if first {
            removeOrphans(scan.orphans)
            removeTemporaries(scan.rootTemporaries)
        }
        guard first || deep else { return }
        removeExpiredKeyFiles(scan.keyFiles)
        pruneVault()
    }

    /// Removes the abandoned temporary files among `orphans` (found in user directories by a first scan).
    func removeOrphans(_ orphans: [(user: String, name: String)]) {
        for orphan in orphans where AtomicWriter.isAbandoned(orphan.name) {
            guard let handle = try? DirectoryHandle.open(path: configuration.credentialDirectory + "/" + orphan.user) else { continue }
            try? handle.removeFile(orphan.name)
            logger.info("Removed a temporary file left by an earlier run", metadata: ["credmon.path": "\(handle.childPath(orphan.name))"])
        }
    }

    /// Temporary files at the top of `$CD`, of the state directory and of the vault.
    private func removeTemporaries(_ rootTemporaries: [String]) {
        var removed: [String] = []
        if !rootTemporaries.isEmpty, let root = try? directory.open() {
            for name in rootTemporaries where AtomicWriter.isAbandoned(name) && (try? root.removeFile(name)) != nil {
                removed.append(root.childPath(name))
            }
        }
        if let stateDirectory = configuration.stateDirectory, let state = try? DirectoryHandle.open(path: stateDirectory) {
            removed += AtomicWriter.removeOrphans(in: state).map(state.childPath)
        }
        if let staging { removed += AtomicWriter.removeOrphans(in: staging).map(staging.childPath) }
        removed += vault?.removeTemporaries() ?? []
        for path in removed {
            logger.info("Removed a temporary file left by an earlier run", metadata: ["credmon.path": "\(path)"])
        }
    }

    /// Key files condor_credd wrote for a web login nobody completed, once they are older than 12 hours.
    private func removeExpiredKeyFiles(_ names: [String]) {
        guard !names.isEmpty, let root = try? directory.open() else { return }
        let now = clock.now()
        for name in names {
            do {
                if try LeftoverFiles.removeKeyFileIfExpired(name, in: root, now: now) == .removed {
                    logger.info("Removed an expired key file (a web login not completed within 12 hours)",
                                metadata: ["credmon.key_file": "\(LeftoverFiles.redactedKeyFileName(name))"])
                }
            } catch {
                reportOnce("key file \(name): \(error.reason)") {
                    logger.warning("Cannot remove an expired key file", metadata: [
                        "credmon.key_file": "\(LeftoverFiles.redactedKeyFileName(name))", "credmon.error": "\(error.reason)",
                        "credmon.fix": "check the permissions of the credential directory",
                    ])
                }
            }
        }
    }

    /// Erases the vault's copies whose provider is gone from the table or no longer revokes on removal: nothing
    /// would ever use them. A record that had a copy forgets it, so that a provider that revokes again copies anew.
    private func pruneVault() {
        guard let vault else { return }
        for id in vault.entries() {
            let provider = table.provider(for: id.token.service)
            guard provider?.profile.traits.revokesOnRemoval != true else { continue }
            vault.forget(id)
            records[id]?.vaultStamp = nil
            logger.info(provider == nil ? "Erased a revocation copy: its provider is no longer configured"
                                        : "Erased a revocation copy: its provider no longer revokes on removal",
                        metadata: ["credmon.user": "\(id.user)", "credmon.token": "\(id.token.stem)"])
        }
    }
}
