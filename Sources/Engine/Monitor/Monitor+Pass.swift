import FoundationEssentials
import Glibc
import Logging

extension Monitor {
    /// One full pass: scan the directory, handle what changed or is due, wait for it, touch `CREDMON_COMPLETE`.
    /// A deep pass stats every file; a shallow one only the user directories (see ``DirectoryScanner``).
    @discardableResult
    public func fullPass(deep requestedDeep: Bool = false) async -> PassSummary {
        let deep = requestedDeep || passCount % max(1, configuration.deepPassEvery) == 0
        let started = ContinuousClock.now
        passRunning = true
        defer {
            passRunning = false
            checkIdle()
        }
        renewedSincePass = 0
        failedSincePass = 0
        if let summary = await eventsOnlyPass(deep: deep, started: started) { return summary }
        if passCount == 0 { return await firstPassInRounds(deep: deep, started: started) }
        let racy = racyListings()
        if listings.isEmpty || racy.most { return await relistingPassInRounds(deep: deep, started: started) }
        var scan: DirectoryScanner.Result
        let hadLimit = watcher?.watchLimitReached ?? false
        rootStampAtScan = (try? FileStatus.of(path: configuration.credentialDirectory))??.stamp
        do {
            // Directories are watched before they are listed: whatever arrives after a listing raises an event.
            let watcher = watcher
            // Handed over, not copied: the scan updates the listings in place (a scan that fails leaves none, and the
            // next lists every directory).
            let previous = listings
            listings = [:]
            let previousRoot = rootListing
            rootListing = nil
            // The known credentials as knownCredentials(forScanOf:deep:racy:) says. No directory is handed over:
            // after the first pass little is due, and the handles of a pass that lists everything would all be open
            // at once for nothing.
            (scan, listings) = try await scanner.scan(parallelism: configuration.scanParallelism, previous: previous, now: clock.now(),
                                                      deep: deep, known: knownCredentials(forScanOf: previous, deep: deep, racy: racy.aRound),
                                                      watcher: watcher, previousRoot: previousRoot)
            rootListing = scan.rootListing
        } catch {
            return unscannedPass(error, started: started)
        }
        let scanned = ContinuousClock.now
        reportScanProblems(scan.problems)
        sweepLeftovers(after: scan, first: false, deep: deep)
        var lateArrivals: [CredentialID] = []
        if let watcher {
            // Users watched only now whose listing this scan reused (unchanged since an earlier one, not watched then: the
            // watch limit, a watcher started late): a file that arrived after their listing and before their watch raised
            // no event, so a directory that changed since its listing is listed again (one stat per such user).
            let watchedAfterListing = scan.watched.filter { !scan.listed.contains($0) }
            for user in scanner.changedSinceListing(watchedAfterListing, listings: listings) {
                var found = DirectoryScanner.Result()
                scanner.scanUser(user, into: &found)
                lateArrivals += found.credentials.map(\.id)
            }
        }
        warnIfWatchLimitReached(hadLimit: hadLimit)
        let now = clock.now()
        var work = Set<CredentialID>()
        var providers = ProviderFingerprints(table)
        let knownFound = collectWork(from: scan.credentials, now: now, providers: &providers, into: &work)
        // The scan reports a credential at most once, and a deep scan counts the known ones it found as the records
        // have them (`unchanged`) without reporting them. When every record is accounted for so (a deep pass where
        // nothing went), the reported ones were looked at above and the unchanged ones only need their own checks
        // (due, or their provider changed): one walk over the records, without a lookup.
        let someRecordUnseen = knownFound + scan.unchanged != records.count || !scan.missing.isEmpty
            || !scan.missingFromListings.isEmpty
        if !someRecordUnseen && scan.unchanged > 0 {
            let reported = knownFound > 0 ? Set(scan.credentials.lazy.map(\.id)) : []
            for (id, record) in records where (reported.isEmpty || !reported.contains(id))
                && needsWork(record, now: now, providers: &providers) {
                work.insert(id)
            }
        }
        let vaultEntries = deep ? vault?.entries() ?? [] : []
        if someRecordUnseen || !vaultEntries.isEmpty {
            let seen = Set(scan.credentials.lazy.map(\.id))
            if someRecordUnseen {
                let users = scan.users
                let listed = scan.listed
                // A checked listing accounts for each known credential as a verified directory does.
                let verified = scan.listingsChecked ? scan.verified.union(listed) : scan.verified
                let missing = Set(scan.missing + scan.missingFromListings)
                for (id, record) in records {
                    if !users.contains(id.user) {
                        work.insert(id)  // the user's directory is gone
                    } else if listed.contains(id.user) && !verified.contains(id.user) {
                        if !seen.contains(id) { work.insert(id) }  // a listing reports every credential present
                    } else if verified.contains(id.user) {
                        // Verified: reported (looked at above), missing, or as the record has it.
                        if missing.contains(id) {
                            work.insert(id)
                        } else if !seen.contains(id) && needsWork(record, now: now, providers: &providers) {
                            work.insert(id)
                        }
                    } else if needsWork(record, now: now, providers: &providers) {
                        work.insert(id)  // not looked at by this scan
                    }
                }
            }
            for id in vaultEntries where !seen.contains(id) { work.insert(id) }
        }
        work.formUnion(lateArrivals)
        // Room for as many records as credentials found, at once (a first pass): growing the table step by step holds
        // two copies of it. A no-op when the table is that large already.
        records.reserveCapacity(scan.credentials.count)
        // The scan's array goes to the pass's snapshots whole: not copied, and not kept twice.
        enqueuePass(work, listed: scan.takeCredentials())
        let listedUsers = scan.listedUsers
        // What the scan found is in the records, the work and the hand-over by now: not kept while the work runs.
        scan = DirectoryScanner.Result()
        let applied = ContinuousClock.now
        let processed = work.count
        await drain(consume work)
        // Empty by now, or nearly: this gives back the storage a first pass over thousands of credentials grew.
        passSnapshots = PassSnapshots()
        if accessEventsWhileBusy.isEmpty { accessEventsWhileBusy = [:] }
        return finishPass(deep: deep, started: started, scanned: scanned, applied: applied, processed: processed, listed: listedUsers,
                          lookedAtUsers: true)
    }

    /// The end of every pass: health, `CREDMON_COMPLETE`, metrics, the log line, the callback.
    func finishPass(deep: Bool, started: ContinuousClock.Instant, scanned: ContinuousClock.Instant,
                    applied: ContinuousClock.Instant, processed: Int, listed: Int, lookedAtUsers: Bool) -> PassSummary {
        passCount += 1
        // Health before the marker: whoever sees CREDMON_COMPLETE (or scrapes after it) sees this pass's health.
        assessAllHealth(now: clock.now())
        var completedAt: Date?
        do {
            try directory.touchCompleteMarker()
            completedAt = clock.now()
        } catch {
            logger.error("Cannot touch CREDMON_COMPLETE", metadata: ["credmon.error": "\(error)"])
        }
        let summary = PassSummary(credentials: records.count, processed: processed, renewed: renewedSincePass,
                                  failed: failedSincePass, duration: ContinuousClock.now - started, scanned: lookedAtUsers)
        if let metrics { recordPassMetrics(metrics, deep: deep, duration: summary.duration, completedAt: completedAt) }
        logger.log(level: passCount == 1 ? .info : .debug, passCount == 1 ? "First pass complete" : "Pass complete", metadata: [
            "credmon.credentials": "\(summary.credentials)", "credmon.processed": "\(summary.processed)",
            "credmon.renewed": "\(summary.renewed)", "credmon.failed": "\(summary.failed)",
            "credmon.deep": "\(deep)", "credmon.listed": "\(listed)", "credmon.scanned": "\(lookedAtUsers)",
            "credmon.scan_ms": "\((scanned - started).milliseconds)", "credmon.apply_ms": "\((applied - scanned).milliseconds)",
            "credmon.duration_ms": "\(summary.duration.milliseconds)",
        ])
        passCompleteCallback(summary)
        // A pass that handled, listed or (deep) stat'ed thousands of credentials freed as much; glibc keeps it unless
        // asked.
        if summary.processed >= 1000 || listed >= 1000 || (deep && lookedAtUsers && records.count >= 1000) {
            MemoryTrim.releaseFreeMemory()
        }
        return summary
    }

    /// A periodic (shallow) pass while inotify reports every change: the watcher's thread reads events, every user
    /// directory is watched (no watch refused, no queue overflow since: that asks for a deep pass), and the credential
    /// directory itself is as at the last scan (no user came or went unseen). Then the events have shown every change
    /// a scan would find, and the pass stats nothing but the root: it hands the due credentials to the workers and
    /// finishes as any pass. Nil when a scan is needed. Deep passes (every ``MonitorConfiguration/deepPassEvery``th,
    /// and on SIGHUP) always scan.
    private func eventsOnlyPass(deep: Bool, started: ContinuousClock.Instant) async -> PassSummary? {
        guard !deep, passCount > 0, !rescanPending, let watcher, watcher.isComplete, let known = rootStampAtScan,
              let root = (try? FileStatus.of(path: configuration.credentialDirectory)) ?? nil, root.stamp == known else { return nil }
        // A change within the clock's resolution of the last scan might not have changed the stamp (as for users).
        let racyBefore = clock.now().timeIntervalSince1970 - 2
        guard root.modified.epochSeconds < racyBefore, root.changed.epochSeconds < racyBefore else { return nil }
        let scanned = ContinuousClock.now
        let now = clock.now()
        var work = Set<CredentialID>()
        var providers = ProviderFingerprints(table)
        for (id, record) in records where needsWork(record, now: now, providers: &providers) { work.insert(id) }
        enqueuePass(work, listed: [])
        let applied = ContinuousClock.now
        let processed = work.count
        await drain(consume work)
        return finishPass(deep: false, started: started, scanned: scanned, applied: applied, processed: processed, listed: 0,
                          lookedAtUsers: false)
    }

    /// How many user directories the first pass's rounds may leave open for the workers (see ``DirectoryScanner``):
    /// what the soft limit on open files leaves after 512 for everything else (connections, files being written), at
    /// most 65,536. Workers then neither open nor close those directories again.
    static let handOverLimit: Int = {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        let soft = Int(clamping: limit.rlim_cur)
        return max(0, min(65_536, soft - 512))
    }()

    /// Whether at least `count` of `listings` changed within the two seconds before now (a scan lists them again,
    /// whatever their stamp says).
    func racyDirectories(in listings: DirectoryScanner.Listings, atLeast count: Int) -> Bool {
        racyDirectoryCount(in: listings, upTo: count) >= count
    }

    /// How many of `listings` changed within the two seconds before now, counted up to `limit`.
    private func racyDirectoryCount(in listings: DirectoryScanner.Listings, upTo limit: Int) -> Int {
        // In the stamps' unit (nanoseconds, see FileStamp); a clock past 2262 or before 1677 must not trap.
        let racyFrom = Int64(exactly: ((clock.now().timeIntervalSince1970 - 2) * 1e9).rounded(.down)) ?? .max
        var found = 0
        for stamp in listings.values where stamp.modified >= racyFrom || stamp.changed >= racyFrom {
            found += 1
            if found >= limit { break }
        }
        return found
    }

    /// The listings' racy directories (changed within two seconds before now: a scan lists them again), counted once
    /// for a pass's two questions. `most`: at least a round's worth (``MonitorConfiguration/firstPassRound``) and half
    /// of them (the two passes after a first pass, whose writes changed every directory it issued tokens in); such a
    /// pass lists them all in rounds (``relistingPassInRounds(deep:started:)``): at most twice the listings, holding
    /// one round's snapshots where a single scan held every one of them and the known credentials beside (1.5 MB more
    /// at 10,000 users, the daemon's peak). `aRound`: at least a round's worth (see
    /// ``knownCredentials(forScanOf:deep:racy:)``).
    func racyListings() -> (most: Bool, aRound: Bool) {
        let round = max(1, configuration.firstPassRound)
        guard listings.count >= round else { return (false, false) }
        let most = max(round, listings.count - listings.count / 2)
        let racy = racyDirectoryCount(in: listings, upTo: most)
        return (racy >= most, racy >= round)
    }

    /// Whether a scan would list most directories again (see ``racyListings()``).
    func mostDirectoriesRacy() -> Bool { racyListings().most }

    /// The known credentials for a scan of the directories `listings` stamped, or nil. Without listings every directory
    /// is listed and none would be stat'ed. With them a deep scan takes them (it stats them in the directories it does
    /// not list); either scan checks the directories it lists against them, so that only what differs is reported,
    /// but a shallow scan takes them (0.7 MB for 10,000) only when it will list a round's worth of directories changed
    /// within two seconds of their listing (`racy`, see ``racyListings()``: thousands where nothing changed).
    private func knownCredentials(forScanOf listings: DirectoryScanner.Listings, deep: Bool, racy: Bool) -> KnownCredentials? {
        guard !listings.isEmpty, deep || racy else { return nil }
        return knownCredentials()
    }

    /// The credentials tracked, with their files' stamps as recorded.
    private func knownCredentials() -> KnownCredentials {
        KnownCredentials(records.values.lazy.map { record in
            (user: record.id.user, credential: KnownCredential(token: record.id.token, seed: record.seedStamp, access: record.accessStamp))
        })
    }

    /// Adds to `work` the credentials of `snapshots` that must be looked at; returns how many of them have a record
    /// (each is passed to `known`).
    func collectWork(from snapshots: SnapshotList, now: Date, providers: inout ProviderFingerprints,
                     into work: inout Set<CredentialID>, known: (CredentialID) -> Void = { _ in }) -> Int {
        var knownFound = 0
        for snapshot in snapshots {
            let record = records[snapshot.id]
            if record != nil {
                knownFound += 1
                known(snapshot.id)
            }
            // A pass that finds a known .use gone waits the removal settle delay, as the .use's own event does.
            if let record, accessVanished(snapshot, record: record), deferAfterRemoval(snapshot.id) { continue }
            if needsWork(snapshot, record: record, now: now, providers: &providers) { work.insert(snapshot.id) }
        }
        return knownFound
    }

    /// Logs each problem a scan found, once for the daemon's life.
    func reportScanProblems(_ problems: [ScanProblem]) {
        for problem in problems {
            reportOnce(problem.description) {
                logger.warning("Ignored entry in the credential directory", metadata: ["credmon.path": "\(problem.path)", "credmon.problem": "\(problem.problem)"])
            }
        }
    }

    /// Whether the `.use` of a valid credential (`record`) is gone while its `.top` is as it was (condor_credd
    /// sweeping it).
    private func accessVanished(_ snapshot: CredentialSnapshot, record: CredentialRecord) -> Bool {
        guard snapshot.access == nil else { return false }
        return record.state == .valid && record.accessStamp != nil && record.seedStamp == snapshot.seed.stamp
    }

    /// Whether a credential found in a (re-)listed or verified directory must be looked at (`record`: its record).
    private func needsWork(_ snapshot: CredentialSnapshot, record: CredentialRecord?, now: Date,
                           providers: inout ProviderFingerprints) -> Bool {
        guard let record else { return true }
        if record.seedStamp != snapshot.seed.stamp { return true }
        if record.state == .valid || record.state == .failing, record.accessStamp != snapshot.access?.stamp { return true }
        return needsWork(record, now: now, providers: &providers)
    }

    /// Whether a credential whose files did not change must be looked at: not handled yet, due, or its provider
    /// changed.
    private func needsWork(_ record: CredentialRecord, now: Date, providers: inout ProviderFingerprints) -> Bool {
        let service = record.id.token.service
        switch record.state {
        case .refused, .discarded: return false
        case .pending: return true
        case .terminal, .dormant:
            guard case .served(let fingerprint) = providers.answer(for: service) else { return false }
            return fingerprint != record.fingerprint
        case .unowned:
            return providers.answer(for: service) != .unserved
        case .valid, .failing:
            if case .served(let fingerprint) = providers.answer(for: service), fingerprint != record.fingerprint { return true }
            return (record.dueAt ?? .distantPast) <= now
        }
    }
}
