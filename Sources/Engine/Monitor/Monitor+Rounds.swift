import FoundationEssentials
import Logging

/// What the passes share: the start of a pass in rounds, a pass that could not read the credential directory, and
/// the watch-limit warning.
extension Monitor {
    /// The start of a pass in rounds (``firstPassInRounds(deep:started:)``, ``relistingPassInRounds(deep:started:)``):
    /// the root's stamp, then its listing (as a scan takes them), its problems reported and the leftovers swept
    /// (`first`: a first pass's too). Throws when the root cannot be read.
    func beginRounds(first: Bool, deep: Bool) throws(SystemError) -> (root: DirectoryHandle, users: [String]) {
        rootStampAtScan = (try? FileStatus.of(path: configuration.credentialDirectory))??.stamp
        let (root, rootScan) = try scanner.listRootForRounds(expectedUsers: rootListing?.users.count ?? 0)
        rootListing = rootScan.rootListing
        reportScanProblems(rootScan.problems)
        sweepLeftovers(after: rootScan, first: first, deep: deep)
        return (root, rootScan.userList)
    }

    /// Logs a pass that could not read the credential directory (`error`) and returns its summary.
    func unscannedPass(_ error: some Error, started: ContinuousClock.Instant) -> PassSummary {
        logger.error("Cannot scan the credential directory", metadata: ["credmon.error": "\(error)"])
        return PassSummary(credentials: records.count, processed: 0, renewed: 0, failed: 0, duration: ContinuousClock.now - started,
                           scanned: false)
    }

    /// Warns when the watcher reached the inotify watch limit during this pass (`hadLimit`: it had at its start).
    func warnIfWatchLimitReached(hadLimit: Bool) {
        guard let watcher, watcher.watchLimitReached && !hadLimit else { return }
        logger.warning("inotify watch limit reached; some users rely on the periodic pass",
                       metadata: ["credmon.watched": "\(watcher.watchedUsers)", "credmon.fix": "raise fs.inotify.max_user_watches"])
    }
}
