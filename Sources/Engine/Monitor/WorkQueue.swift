/// The credentials waiting for a worker, first come first served, one operation per credential at a time: a
/// credential asked for again while a worker has it runs once more when that worker is done. Owned by the monitor
/// actor; idle workers park here until there is work (or the monitor stops).
struct WorkQueue {
    private var queue: [CredentialID] = []
    private var head = 0
    /// Where each waiting credential is in `queue` (8 bytes a slot, where a set of the IDs took 48).
    private var queued = CredentialIndex()
    private var inFlight: Set<CredentialID> = []
    private var again: Set<CredentialID> = []
    private var workers: [CheckedContinuation<[CredentialID]?, Never>] = []
    private var stopped = false
    /// Between ``beginBurst()`` and ``endBurst(share:)``: parked workers wait for the whole burst.
    private var bursting = false

    /// Nothing waits and nothing is being handled.
    var isIdle: Bool { head >= queue.count && inFlight.isEmpty }

    /// How many credentials wait for a worker.
    var waiting: Int { queue.count - head }

    /// Whether a worker has any credential now.
    var hasInFlight: Bool { !inFlight.isEmpty }

    /// Whether a worker has `id` now.
    func isInFlight(_ id: CredentialID) -> Bool { inFlight.contains(id) }

    /// Whether `id` waits or is being handled.
    func isPending(_ id: CredentialID) -> Bool { isWaiting(id) || inFlight.contains(id) }

    private func isWaiting(_ id: CredentialID) -> Bool { queued.position(of: id) { queue[$0] == id } != nil }

    /// Adds `id` (handing it to a parked worker if there is one, outside a burst); a credential already waiting is not
    /// added twice.
    mutating func enqueue(_ id: CredentialID) {
        if inFlight.contains(id) {
            again.insert(id)
            return
        }
        guard !stopped, !isWaiting(id) else { return }
        if !bursting, let worker = workers.popLast() {
            inFlight.insert(id)
            worker.resume(returning: [id])
        } else {
            queued.insert(id, at: queue.count) { _ in false }
            queue.append(id)
        }
    }

    /// Room for `count` more credentials to wait without growing.
    mutating func reserveCapacity(_ count: Int) {
        queue.reserveCapacity(queue.count + count)
        queued.reserveCapacity(queued.count + count)
    }

    /// The next credential for a worker, or nil when none waits.
    mutating func take() -> CredentialID? {
        guard !stopped, head < queue.count else { return nil }
        let id = queue[head], position = head
        _ = queued.remove(id) { $0 == position }
        head += 1
        if head > 1024 && head * 2 > queue.count {
            // The positions move down by `head`: the index is built again for the (fewer) credentials left.
            queue.removeFirst(head)
            head = 0
            queued.removeAll()
            queued.reserveCapacity(queue.count)
            for (position, waiting) in queue.enumerated() { queued.insert(waiting, at: position) { _ in false } }
        }
        inFlight.insert(id)
        return id
    }

    /// Up to `limit` credentials for a worker, in queue order; empty when none waits.
    mutating func take(upTo limit: Int) -> [CredentialID] {
        var batch: [CredentialID] = []
        while batch.count < limit, let id = take() { batch.append(id) }
        return batch
    }

    /// Queues what follows (until ``endBurst(share:)``) without handing each credential to a parked worker as it
    /// comes: the first credentials of a burst (a pass's) would each go alone to a worker, one hand-off apiece.
    mutating func beginBurst() { bursting = true }

    /// Ends a burst: the parked workers get batches of what waits, as a worker that asked would take them (`share`:
    /// how many, given how many wait).
    mutating func endBurst(share: (Int) -> Int) {
        bursting = false
        while !stopped, waiting > 0, let worker = workers.popLast() {
            worker.resume(returning: take(upTo: max(1, share(waiting))))
        }
    }

    /// Parks a worker until ``enqueue(_:)`` has work for it (or ``stop()``).
    mutating func park(_ worker: CheckedContinuation<[CredentialID]?, Never>) {
        if stopped { worker.resume(returning: nil) } else { workers.append(worker) }
    }

    /// A worker is done with `id`; returns true when `id` was asked for meanwhile and has been queued again.
    mutating func finish(_ id: CredentialID) -> Bool {
        inFlight.remove(id)
        if again.remove(id) != nil {
            enqueue(id)
            return true
        }
        if inFlight.isEmpty && head >= queue.count && heldCapacity > 1024 { releaseStorage() }
        return false
    }

    /// Releases every parked worker (with nil) and accepts no more work.
    mutating func stop() {
        stopped = true
        let parked = workers
        workers.removeAll()
        parked.forEach { $0.resume(returning: nil) }
    }

    /// How many credentials the containers have room for (a burst's capacity stays until given back).
    var heldCapacity: Int { queue.capacity + queued.slotCapacity + inFlight.capacity + again.capacity }

    /// After a burst (a first pass over thousands of credentials) the containers keep their capacity; give it back
    /// once everything is done. (The queue itself may have been compacted to a few entries by then: the sets still
    /// have room for the whole burst.)
    private mutating func releaseStorage() {
        queue = []
        head = 0
        queued = CredentialIndex()
        inFlight = []
        again = []
    }
}
