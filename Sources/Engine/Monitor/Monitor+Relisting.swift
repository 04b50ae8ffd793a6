import FoundationEssentials
import Logging

extension Monitor {
    /// A pass with no listings to compare with (the one after the first pass, which takes no stamps, or after a scan
    /// that failed), or with listings most of which a scan would not trust (``mostDirectoriesRacy()``): every user
    /// directory is listed and stamped, in rounds of ``MonitorConfiguration/firstPassRound``
    /// as the first pass reads them (the next round read while this one is looked at), so that a round's snapshots
    /// go once it is looked at unless a worker needs them. A single scan of 10,000 users held 10,000 snapshots (1.8
    /// MB) and their stamps at once, beside every record: the daemon's peak once the first pass went in rounds.
    ///
    /// It queues what a single scan of everything would: the credentials found that need work, and every record no
    /// round reported (its user directory or its `.top` is gone; or it came from an event during this pass, and is
    /// looked at again), and in a deep pass the vault's copies of credentials no round found. Which were reported is
    /// kept as their hashes only (``HashMarks``: 80 KB, not a set of 10,000 IDs); a hash shared with a reported one
    /// (about one chance in 10^11) would leave a removed credential to its events and the next deep pass.
    func relistingPassInRounds(deep: Bool, started: ContinuousClock.Instant) async -> PassSummary {
        let hadLimit = watcher?.watchLimitReached ?? false
        relistingPasses += 1
        listings = [:]  // replaced by this pass's stamps; a pass that cannot read the root leaves none (all listed next)
        let root: DirectoryHandle, users: [String]
        do { (root, users) = try beginRounds(first: false, deep: deep) } catch { return unscannedPass(error, started: started) }
        var stamps = DirectoryScanner.Listings()
        stamps.reserveCapacity(users.count)
        var reported = HashMarks()
        reported.reserveCapacity(records.count)
        var work = Set<CredentialID>()
        var providers = ProviderFingerprints(table)
        let now = clock.now()
        let roundSize = max(1, configuration.firstPassRound)
        let scanner = scanner, watcher = watcher, parallelism = configuration.scanParallelism
        func round(from start: Int) -> Task<(result: DirectoryScanner.Result, stamps: [[(user: String, stamp: FileStamp?)]]), Never> {
            let slice = users[start..<min(users.count, start + roundSize)]
            return Task.detached { await scanner.scanRoundStamped(slice, root: root, parallelism: parallelism, now: now, watcher: watcher) }
        }
        var next = users.isEmpty ? nil : round(from: 0)
        var nextStart = roundSize
        var listedUsers = 0
        var scanning = Duration.zero
        var queueing = Duration.zero
        while let current = next {
            let waited = ContinuousClock.now
            var (found, roundStamps) = await current.value
            scanning += ContinuousClock.now - waited
            next = nextStart < users.count && !stopping ? round(from: nextStart) : nil
            nextStart += roundSize
            let planned = ContinuousClock.now
            reportScanProblems(found.problems)
            listedUsers += found.listedUsers
            for part in roundStamps {
                for (user, stamp) in part { if let stamp { stamps[user] = stamp } }
            }
            roundStamps = []
            var roundWork = Set<CredentialID>()
            _ = collectWork(from: found.credentials, now: now, providers: &providers, into: &roundWork)
            for snapshot in found.credentials { reported.mark(snapshot.id) }
            enqueuePass(roundWork, listed: found.takeCredentials())
            found = DirectoryScanner.Result()
            work.formUnion(roundWork)
            queueing += ContinuousClock.now - planned
        }
        listings = consume stamps
        var unreported = Set<CredentialID>()
        for id in records.keys where !reported.contains(id) && !work.contains(id) { unreported.insert(id) }
        if deep, let vault {
            for id in vault.entries() where !reported.contains(id) && !work.contains(id) { unreported.insert(id) }
        }
        if !unreported.isEmpty {
            enqueuePass(unreported, listed: [])
            work.formUnion(unreported)
        }
        warnIfWatchLimitReached(hadLimit: hadLimit)
        let processed = work.count
        await drain(consume work)
        passSnapshots = PassSnapshots()
        if accessEventsWhileBusy.isEmpty { accessEventsWhileBusy = [:] }
        let scanned = started + scanning
        return finishPass(deep: deep, started: started, scanned: scanned, applied: scanned + queueing, processed: processed,
                          listed: listedUsers, lookedAtUsers: true)
    }
}
