extension Monitor {
    /// Asks for `id` to be handled by a worker (see ``WorkQueue``).
    func enqueue(_ id: CredentialID) {
        guard !stopping else { return }
        workQueue.enqueue(id)
        metrics?.queueDepth(workQueue.waiting)
    }

    /// One worker: takes credentials off the queue until the monitor stops.
    func workerLoop() async {
        while let id = await nextWork() {
            await process(id)
            finish(id)
        }
    }

    private func nextWork() async -> CredentialID? {
        if stopping || Task.isCancelled { return nil }
        if let id = workQueue.take() {
            metrics?.queueDepth(workQueue.waiting)
            return id
        }
        return await withCheckedContinuation { workQueue.park($0) }
    }

    private func finish(_ id: CredentialID) {
        if workQueue.finish(id) { return }
        if passPending.remove(id) != nil, passPending.isEmpty {
            passWaiter?.resume()
            passWaiter = nil
            passPending = []
        }
        if workQueue.isIdle { checkIdle() }
    }

    /// Waits until every credential in `ids` has been handled (or the monitor stops).
    func drain(_ ids: Set<CredentialID>) async {
        passPending = ids.filter { workQueue.isPending($0) }
        guard !passPending.isEmpty, !stopping else { return }
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
