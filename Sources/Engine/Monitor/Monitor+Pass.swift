import FoundationEssentials
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
        let scan: DirectoryScanner.Result
        do {
            (scan, listings) = try await scanner.scan(parallelism: configuration.scanParallelism, previous: listings, now: clock.now(), deep: deep)
        } catch {
            logger.error("Cannot scan the credential directory", metadata: ["credmon.error": "\(error)"])
            return PassSummary(credentials: records.count, processed: 0, renewed: 0, failed: 0, duration: ContinuousClock.now - started)
        }
        let scanned = ContinuousClock.now
        for problem in scan.problems {
            reportOnce(problem.description) {
                logger.warning("Ignored entry in the credential directory", metadata: ["credmon.path": "\(problem.path)", "credmon.problem": "\(problem.problem)"])
            }
        }
        sweepLeftovers(after: scan, first: passCount == 0, deep: deep)
        var lateArrivals: [CredentialID] = []
        if let watcher {
            let hadLimit = watcher.watchLimitReached
            var newlyWatched: [String] = []
            for user in scan.users where !watcher.isWatching(user) {
                if watcher.watchUser(user) { newlyWatched.append(user) }
            }
            // A file that arrived after the scan listed a user and before its watch existed raised no event: a
            // directory that changed since its listing is listed again (one stat per newly watched user).
            for user in scanner.changedSinceListing(newlyWatched, listings: listings) {
                var found = DirectoryScanner.Result()
                scanner.scanUser(user, into: &found)
                lateArrivals += found.credentials.map(\.id)
            }
            if watcher.watchLimitReached && !hadLimit {
                logger.warning("inotify watch limit reached; some users rely on the periodic pass",
                               metadata: ["credmon.watched": "\(watcher.watchedUsers)", "credmon.fix": "raise fs.inotify.max_user_watches"])
            }
        }
        let now = clock.now()
        var seen = Set<CredentialID>(minimumCapacity: scan.credentials.count)
        var work = Set<CredentialID>()
        for snapshot in scan.credentials {
            seen.insert(snapshot.id)
            // A pass that finds a known .use gone waits the removal settle delay, as the .use's own event does.
            if accessVanished(snapshot), deferAfterRemoval(snapshot.id) { continue }
            if needsWork(snapshot, now: now) { work.insert(snapshot.id) }
        }
        for (id, record) in records {
            if !scan.users.contains(id.user) || (scan.listed.contains(id.user) && !seen.contains(id)) {
                work.insert(id)
            } else if !scan.listed.contains(id.user) && needsWork(record, now: now) {
                work.insert(id)
            }
        }
        work.formUnion(lateArrivals)
        if deep, let vault {
            for id in vault.entries() where !seen.contains(id) { work.insert(id) }
        }
        for id in work.sorted() { enqueue(id) }
        let applied = ContinuousClock.now
        await drain(work)
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
        let summary = PassSummary(credentials: records.count, processed: work.count, renewed: renewedSincePass,
                                  failed: failedSincePass, duration: ContinuousClock.now - started)
        if let metrics { recordPassMetrics(metrics, deep: deep, duration: summary.duration, completedAt: completedAt) }
        logger.log(level: passCount == 1 ? .info : .debug, passCount == 1 ? "First pass complete" : "Pass complete", metadata: [
            "credmon.credentials": "\(summary.credentials)", "credmon.processed": "\(summary.processed)",
            "credmon.renewed": "\(summary.renewed)", "credmon.failed": "\(summary.failed)",
            "credmon.deep": "\(deep)", "credmon.listed": "\(scan.listedUsers)",
            "credmon.scan_ms": "\((scanned - started).milliseconds)", "credmon.apply_ms": "\((applied - scanned).milliseconds)",
            "credmon.duration_ms": "\(summary.duration.milliseconds)",
        ])
        passCompleteCallback(summary)
        if summary.processed >= 1000 { MemoryTrim.releaseFreeMemory() }
        return summary
    }

    /// Whether the `.use` of a valid credential is gone while its `.top` is as it was (condor_credd sweeping it).
    private func accessVanished(_ snapshot: CredentialSnapshot) -> Bool {
        guard snapshot.access == nil, let record = records[snapshot.id] else { return false }
        return record.state == .valid && record.accessStamp != nil && record.seedStamp == snapshot.seed.stamp
    }

    /// Whether a credential found in a (re-)listed directory must be looked at.
    private func needsWork(_ snapshot: CredentialSnapshot, now: Date) -> Bool {
        guard let record = records[snapshot.id] else { return true }
        if record.seedStamp != snapshot.seed.stamp { return true }
        if record.state == .valid || record.state == .failing, record.accessStamp != snapshot.access?.stamp { return true }
        return needsWork(record, now: now)
    }

    /// Whether a credential whose files did not change must be looked at: not handled yet, due, or its provider
    /// changed.
    private func needsWork(_ record: CredentialRecord, now: Date) -> Bool {
        switch record.state {
        case .refused, .discarded: return false
        case .terminal, .dormant: return table.provider(for: record.id.token.service).map { $0.profile.fingerprint != record.fingerprint } ?? false
        case .unowned: return table.provider(for: record.id.token.service) != nil
        case .pending: return true
        case .valid, .failing: break
        }
        if let provider = table.provider(for: record.id.token.service), provider.profile.fingerprint != record.fingerprint {
            return true
        }
        return (record.dueAt ?? .distantPast) <= now
    }
}
