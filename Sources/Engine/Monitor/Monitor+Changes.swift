import FoundationEssentials

extension Monitor {
    /// A stream that yields whenever the records change and after every full pass, starting with one element for the
    /// state as it is. Coalesced: changes made while the consumer is busy are one element. Each call makes a new
    /// subscriber; it is dropped once its stream is no longer iterated.
    public func changes() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        continuation.yield()
        changeSubscribers.append(continuation)
        return stream
    }

    /// Waits until the monitor has nothing to do at its clock's current time: no full pass running, no credential
    /// waiting for a worker or being handled, and the scheduler asleep until a later due date (or an event). Returns
    /// at once when the monitor is stopping. It does not know of inotify events the kernel has not delivered yet, nor
    /// of passes requested but not started. For tests: "after this, nothing happened" without sleeping.
    public func idle() async {
        while !isIdle {
            await withCheckedContinuation { idleWaiters.append($0) }
        }
    }

    private var isIdle: Bool {
        if stopping { return true }
        guard !passRunning, workQueue.isIdle, scheduler.isAsleep else { return false }
        return scheduler.alarm.map { $0 > clock.now() } ?? true
    }

    /// Releases the ``idle()`` waiters if the monitor is idle.
    func checkIdle() {
        guard !idleWaiters.isEmpty, isIdle else { return }
        let waiters = idleWaiters
        idleWaiters.removeAll()
        waiters.forEach { $0.resume() }
    }

    /// Stores a record, schedules it and counts it for the pass's figures.
    func commit(_ record: CredentialRecord, scheduleAt date: Date? = nil, tally: CredentialDecision.Tally? = nil) {
        var record = record
        let previous = records[record.id]
        // The worker's copy is as old as its work: the counts of own writes are the store's.
        record.ownAccessWrites = previous?.ownAccessWrites ?? 0
        let notifiedChanged = assessHealth(&record, now: clock.now())
        if notifiedChanged || (previous?.expiry != record.expiry && (ExpiryStore.keeps(record) || previous.map(ExpiryStore.keeps) == true)) {
            expiryStoreDirty = true
            expiryTrigger.yield()
        }
        if !pendingNotices.isEmpty { expiryTrigger.yield() }
        records[record.id] = record
        if let date { scheduler.schedule(record.id, at: date) }
        switch tally {
        case .renewed?:
            renewedSincePass += 1
            countOwnAccessWrite(record.id)
        case .failed?: failedSincePass += 1
        case nil: break
        }
        publishChange()
    }

    /// Where a credential stands, if the monitor knows it.
    func state(of id: CredentialID) -> CredentialRecord.State? { records[id]?.state }

    /// Forgets a credential's record; returns it if there was one.
    func forgetRecord(_ id: CredentialID) -> CredentialRecord? {
        guard let record = records.removeValue(forKey: id) else { return nil }
        if ExpiryStore.keeps(record) {
            expiryStoreDirty = true
            expiryTrigger.yield()
        }
        publishChange()
        return record
    }

    /// Counts a change and tells the subscribers of ``changes()``.
    func publishChange() {
        changeCount += 1
        guard !changeSubscribers.isEmpty else { return }
        var index = 0
        while index < changeSubscribers.count {
            if case .terminated = changeSubscribers[index].yield() {
                changeSubscribers.remove(at: index)
            } else {
                index += 1
            }
        }
    }
}
