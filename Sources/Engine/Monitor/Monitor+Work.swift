extension Monitor {
    /// Asks for `id` to be handled by a worker (see ``WorkQueue``).
    func enqueue(_ id: CredentialID) {
        guard !stopping else { return }
        // Asked for again (an event, a due date): what the pass's scan saw may be out of date.
        if !passSnapshots.isEmpty { _ = passSnapshots.take(id) }
        workQueue.enqueue(id)
        metrics?.queueDepth(workQueue.waiting)
    }

    /// One worker: takes credentials off the queue until the monitor stops.
    func workerLoop() async {
        while let batch = await nextWork() {
            await processBatch(batch)
            for id in batch { finish(id) }
        }
    }

    /// The most credentials a worker takes at once (see ``processBatch(_:)``).
    static let batchLimit = 16

    /// The next credentials for a worker: a fair share of what waits (so that every worker gets some), at most
    /// ``batchLimit``; nil when the monitor stops.
    private func nextWork() async -> [CredentialID]? {
        if stopping || Task.isCancelled { return nil }
        let batch = workQueue.take(upTo: share(ofWaiting: workQueue.waiting))
        if !batch.isEmpty {
            metrics?.queueDepth(workQueue.waiting)
            return batch
        }
        return await withCheckedContinuation { workQueue.park($0) }
    }

    /// A worker's fair share of `waiting` credentials: every worker gets some, at most ``batchLimit``.
    private func share(ofWaiting waiting: Int) -> Int {
        max(1, min(Self.batchLimit, waiting / max(1, configuration.maxConcurrent)))
    }

    private func finish(_ id: CredentialID) {
        let queuedAgain = workQueue.finish(id)
        if !accessEventsWhileBusy.isEmpty { settleAccessEventWhileBusy(id) }
        if queuedAgain || workQueue.isPending(id) { return }
        if passPending.remove(id) != nil, passPending.count <= passResumesAt {
            passWaiter?.resume()
            passWaiter = nil
            if passPending.isEmpty { passPending = [] }
        }
        if workQueue.isIdle { checkIdle() }
    }

    /// Queues the work of a pass: the credentials its scan listed take the files' status with them, so that their
    /// worker does not stat them again (not for one a worker has now: it is handled again after, and its files may
    /// have changed meanwhile). Those go first, in the scan's order; the others (few: records the scan did not list)
    /// follow, sorted.
    func enqueuePass(_ work: Set<CredentialID>, listed: consuming SnapshotList) {
        // Parked workers get their shares once all of it waits (and its snapshots are in place).
        workQueue.beginBurst()
        defer { workQueue.endBurst { share(ofWaiting: $0) } }
        let busy = workQueue.hasInFlight ? work.filter { workQueue.isInFlight($0) } : []
        // A burst (a first pass) gets room for all of it at once: grown step by step, the queue's containers and the
        // scheduler's heap each held their old storage beside the new one at every step (the heap's peak of a first
        // pass). Not for a few: an exact reservation on every pass would copy the heap each time.
        if work.count >= 1024 {
            workQueue.reserveCapacity(work.count)
            scheduler.reserveCapacity(work.count)
        }
        var queuedFromListing = 0
        for position in listed.indices where work.contains(listed[position].id) {
            enqueue(listed[position].id)
            queuedFromListing += 1
        }
        let others = queuedFromListing < work.count ? work.subtracting(listed.lazy.map(\.id)).sorted() : []
        // Workers resume only once this actor is free again, so they all find their snapshot. (Beside those of a
        // first pass's round before, still being handled.)
        passSnapshots.add(consume listed, expected: queuedFromListing) { work.contains($0.id) && !busy.contains($0.id) }
        for id in others { enqueue(id) }
    }

    /// Waits until every credential in `ids`, and any a call before left pending, has been handled but `leaving` (or
    /// the monitor stops): a first pass queues its next round while a few of the round before still wait.
    func drain(_ ids: consuming Set<CredentialID>, leaving: Int = 0) async {
        // The pass's own set becomes the pending set, less those already done (few): not copied, and not held twice
        // while the pass waits.
        var pending = consume ids
        let done = pending.filter { !workQueue.isPending($0) }
        pending.subtract(done)
        if passPending.isEmpty {
            passPending = consume pending
        } else {
            passPending.formUnion(pending)
        }
        passResumesAt = leaving
        guard passPending.count > leaving, !stopping else { return }
        await withCheckedContinuation { passWaiter = $0 }
    }

    /// The slots of a provider whose own limit is below the monitor's (nil: no limit of its own).
    func semaphore(for provider: any CredentialProvider) -> AsyncSemaphore? {
        let limit = provider.profile.traits.maxConcurrent
        guard limit < configuration.maxConcurrent else { return nil }
        if let existing = semaphores[provider.profile.name] { return existing }
        let created = AsyncSemaphore(limit: limit)
        semaphores[provider.profile.name] = created
        return created
    }
}
