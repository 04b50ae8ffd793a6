import FoundationEssentials

extension Monitor {
    /// Hands the watcher's event batches to ``handle(_:watcher:)`` until the watcher stops.
    func watchLoop(_ watcher: DirectoryWatcher) async {
        for await batch in watcher.events {
            if Task.isCancelled { return }
            handle(batch, watcher: watcher)
        }
    }

    /// Handles one batch of inotify events.
    func handle(_ batch: [WatchEvent], watcher: DirectoryWatcher) {
        var rescan = false
        for event in batch {
            switch event {
            case .credentialFile(let user, let stem, let file, let removed):
                guard let token = TokenName(stem: stem, allowSpecialCharacters: configuration.allowSpecialCharacterNames) else { continue }
                let id = CredentialID(user: user, token: token)
                if file == .access, workQueue.isInFlight(id) {
                    // Settled when the worker is done (its own write, most likely, or a removal to wait out). It may
                    // be an earlier write's event: that write is not waited for any more.
                    accessEventsWhileBusy[id] = removed ? .removed : .written
                    if !removed { _ = takeOwnAccessWrite(id) }
                    continue
                }
                if file == .access, removed, deferAfterRemoval(id) { continue }
                if file == .access, !removed, takeOwnAccessWrite(id) || isOwnAccessWriteOrGone(id) { continue }
                enqueue(id)
            case .userAppeared(let user):
                guard CredentialNames.isValidUser(user) else { continue }
                watcher.watchUser(user)
                var found = DirectoryScanner.Result()
                scanner.scanUser(user, into: &found)
                for snapshot in found.credentials { enqueue(snapshot.id) }
            case .userRemoved(let user):
                for id in records.keys.filter({ $0.user == user }) {
                    records.update(id) { $0.ownAccessWrites = 0 }
                    enqueue(id)
                }
            case .rescanNeeded:
                rescan = true
                records.updateEach { $0.ownAccessWrites = 0 }  // their events may be among those the kernel dropped
            }
        }
        if rescan {
            rescanPending = true
            requestPass()
        }
    }

    /// A known credential's `.use` vanished: look again only after `removalSettleDelay`. condor_credd sweeps a user's
    /// directory file by file; re-issuing the moment the `.use` goes would refresh (and rotate) a credential that is
    /// being removed and write into a directory being deleted. If its `.top` goes too, that event comes first.
    func deferAfterRemoval(_ id: CredentialID) -> Bool {
        guard var record = records[id], !workQueue.isInFlight(id) else { return false }
        let due = clock.now().addingTimeInterval(configuration.removalSettleDelay)
        record.dueAt = min(record.dueAt ?? due, due)
        records[id] = record
        scheduler.schedule(id, at: record.dueAt ?? due)
        return true
    }

    /// A `.use` event that arrived while a worker had the credential, once the worker is done. A write: unless the
    /// worker wrote a `.use` itself (the event was its own write), someone else did (a web login's token while the
    /// credential waited for it), and the credential is looked at again. A removal: waited out as any other.
    func settleAccessEventWhileBusy(_ id: CredentialID) {
        guard let event = accessEventsWhileBusy.removeValue(forKey: id) else { return }
        switch event {
        case .removed:
            if !deferAfterRemoval(id) { enqueue(id) }
        case .written:
            guard let record = records[id], record.state == .pending || record.accessStamp == nil else { return }
            enqueue(id)
        }
    }

    /// Counts a `.use` the monitor has just written, so that its event, when it comes after the worker is done, is
    /// known as its own without a `stat` (one per token on the monitor's actor). inotify reports every rename into a
    /// watched directory once, in order. Not counted when no event will come (the user's directory is not watched) or
    /// when a `.use` event arrived while the worker had the credential (it may have been this write's: the `stat`
    /// then decides). A count whose event never comes (the kernel dropped events, the directory went) is cleared with
    /// the event that says so; a count can only skip the `stat` of an event that comes after the write it counts.
    /// The count is the record's (``CredentialRecord/ownAccessWrites``): it goes with the record, and a count at its
    /// limit (255 writes whose events have not come) counts no more, so that a later event is `stat`'ed.
    func countOwnAccessWrite(_ id: CredentialID) {
        guard accessEventsWhileBusy[id] == nil, let watcher, watcher.isWatching(id.user) else { return }
        records.update(id) { record in
            if record.ownAccessWrites < .max { record.ownAccessWrites += 1 }
        }
    }

    /// Takes one counted own write of `id`'s `.use`; false when there is none.
    private func takeOwnAccessWrite(_ id: CredentialID) -> Bool {
        var taken = false
        records.update(id) { record in
            guard record.ownAccessWrites > 0 else { return }
            record.ownAccessWrites -= 1
            taken = true
        }
        return taken
    }

    /// A `.use` event kept until its credential's worker is done.
    enum AccessEventWhileBusy: Sendable {
        case written, removed
    }

    /// True when a `.use` write event needs nothing: the file is exactly as the monitor last wrote or saw it (its own
    /// write; an outside write at the very moment Credmon writes the same `.use` is caught by the next deep pass), or
    /// the file is gone again, whose removal event follows this one in the queue and waits the settle delay (issuing
    /// at once would undo the wait: condor_credd sweeping the directory right after Credmon wrote it).
    private func isOwnAccessWriteOrGone(_ id: CredentialID) -> Bool {
        guard let record = records[id], record.state != .pending, let known = record.accessStamp else { return false }
        let path = configuration.credentialDirectory + "/" + id.user + "/" + id.token.stem + ".use"
        do {
            guard let status = try FileStatus.of(path: path) else { return true }
            return status.stamp == known
        } catch {
            return false
        }
    }
}
