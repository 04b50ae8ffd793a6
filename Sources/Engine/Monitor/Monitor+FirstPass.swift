import FoundationEssentials
import Logging

extension Monitor {
    /// The first pass, in rounds of ``MonitorConfiguration/firstPassRound`` user directories.
    ///
    /// The root is listed once (as a scan lists it); then one round's directories are listed while the workers
    /// handle the round before, and each round's credentials are queued once all but half a round of the round
    /// before are done. The pass so holds about three rounds' snapshots, work and open directories at most, however
    /// many users there are: a single scan of 10,000 users held 10,000 snapshots (1.8 MB), their IDs in the work set,
    /// the work queue and the pending set, and 10,000 open directories, all at once, beside the records growing to
    /// hold them.
    ///
    /// It queues what a single scan of everything would: every credential found without a record (at the start,
    /// all of them), those with one as any listed credential; then the records no round reported (few: made by
    /// events before this pass) and, as every deep pass does, the vault's copies of credentials no round found.
    func firstPassInRounds(deep: Bool, started: ContinuousClock.Instant) async -> PassSummary {
        let hadLimit = watcher?.watchLimitReached ?? false
        let root: DirectoryHandle, users: [String]
        do { (root, users) = try beginRounds(first: true, deep: deep) } catch { return unscannedPass(error, started: started) }
        // About one credential per user: room for their records and due dates at once (grown step by step, each
        // held its old storage beside the new one at every step).
        records.reserveCapacity(users.count)
        if users.count >= 1024 { scheduler.reserveCapacity(users.count) }
        var unseen = Set(records.keys)
        let roundSize = max(1, configuration.firstPassRound)
        let scanner = scanner, watcher = watcher, parallelism = configuration.scanParallelism
        // Three rounds' directories may be open at once.
        let handOverLimit = Self.handOverLimit / 3
        func round(from start: Int) -> Task<DirectoryScanner.Result, Never> {
            let slice = users[start..<min(users.count, start + roundSize)]
            return Task.detached {
                await scanner.scanRound(slice, root: root, parallelism: parallelism, handOverLimit: handOverLimit, watcher: watcher)
            }
        }
        var next = users.isEmpty ? nil : round(from: 0)
        var nextStart = roundSize
        var processed = 0
        var listedUsers = 0
        var scanning = Duration.zero
        var queueing = Duration.zero
        while let current = next {
            let waited = ContinuousClock.now
            var found = await current.value
            scanning += ContinuousClock.now - waited
            next = nextStart < users.count && !stopping ? round(from: nextStart) : nil
            nextStart += roundSize
            let planned = ContinuousClock.now
            reportScanProblems(found.problems)
            removeOrphans(found.orphans)
            listedUsers += found.listedUsers
            var work = Set<CredentialID>(minimumCapacity: found.credentials.count)
            var providers = ProviderFingerprints(table)
            _ = collectWork(from: found.credentials, now: clock.now(), providers: &providers, into: &work) { unseen.remove($0) }
            enqueuePass(work, listed: found.takeCredentials())
            found = DirectoryScanner.Result()
            processed += work.count
            queueing += ContinuousClock.now - planned
            // The next round is queued while the last few of this one are handled: the workers never run dry
            // between rounds, where each would take one credential at a time.
            await drain(consume work, leaving: next == nil ? 0 : roundSize / 2)
        }
        passSnapshots = PassSnapshots()
        var rest = unseen
        if deep, let vault {
            for id in vault.entries() where records[id] == nil { rest.insert(id) }
        }
        if !rest.isEmpty {
            processed += rest.count
            enqueuePass(rest, listed: [])
            await drain(consume rest)
        }
        if accessEventsWhileBusy.isEmpty { accessEventsWhileBusy = [:] }
        warnIfWatchLimitReached(hadLimit: hadLimit)
        // The log line's scan time is the time the pass waited for its rounds' listings, its apply time the time it
        // took to queue their credentials.
        let scanned = started + scanning
        return finishPass(deep: deep, started: started, scanned: scanned, applied: scanned + queueing, processed: processed,
                          listed: listedUsers, lookedAtUsers: true)
    }
}
