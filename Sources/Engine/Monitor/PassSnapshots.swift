/// The files of the credentials a pass queued, as its scan found them, until each credential's worker takes its own
/// (``Monitor/enqueuePass(_:listed:)``). The scan's own arrays are kept, with an index into it: a dictionary of the
/// snapshots themselves took a 16,384-slot table of whole snapshots for 10,000 credentials, and twice that while it
/// grew, beside the scan's array it was filled from; the index is a ``CredentialIndex`` (8 bytes a slot, where a
/// `[CredentialID: Int]` took 40). The arrays go as soon as the last snapshot is taken.
struct PassSnapshots {
    /// The scan arrays added (one per round of a first pass; one for any other pass), each with where its positions
    /// begin and how many of its kept snapshots wait: a list goes once none does, though later ones still wait.
    private var lists: [(snapshots: SnapshotList, start: Int, waiting: Int)] = []
    private var index = CredentialIndex()
    private var total = 0

    /// Whether no snapshot waits to be taken.
    var isEmpty: Bool { index.count == 0 }

    /// How many snapshots wait to be taken.
    var count: Int { index.count }

    /// Keeps `listed` (the scan's array, not copied) and indexes the snapshots `keeps` says wait for a worker (see
    /// ``add(_:expected:keeping:)``).
    init(_ listed: consuming SnapshotList, expected: Int, keeping keeps: (CredentialSnapshot) -> Bool) {
        add(listed, expected: expected, keeping: keeps)
    }

    init() {}

    /// Keeps `listed` too (the scan's array, not copied) and indexes the snapshots `keeps` says wait for a worker.
    /// The snapshots not kept let go of their open directory at once. `expected` is how many the caller counted that
    /// `keeps` accepts: the index has room for that many more, and with none the snapshots are not looked at (a deep
    /// pass with nothing due would otherwise walk them all to keep none).
    mutating func add(_ listed: consuming SnapshotList, expected: Int, keeping keeps: (CredentialSnapshot) -> Bool) {
        guard expected > 0 else { return }
        var snapshots = listed
        // The index is moved out while it grows (its lookups read the lists): not copied.
        var index = self.index
        self.index = CredentialIndex()
        index.reserveCapacity(index.count + min(expected, snapshots.count))
        var waiting = 0
        for position in snapshots.indices {
            if keeps(snapshots[position]) {
                let id = snapshots[position].id
                index.insert(id, at: total + position) { snapshot(at: $0, pending: snapshots).id == id }
                waiting += 1
            } else {
                snapshots.releaseDirectory(at: position)
            }
        }
        self.index = index
        if waiting > 0 { lists.append((snapshots, total, waiting)) }
        total += snapshots.count
    }

    /// The snapshot of `id`, if one waits; taken, it is no longer kept (nor its open directory).
    mutating func take(_ id: CredentialID) -> CredentialSnapshot? {
        var index = self.index
        self.index = CredentialIndex()
        let removed = index.remove(id, matches: { snapshot(at: $0).id == id })
        self.index = index
        guard let position = removed else { return nil }
        let list = lists.lastIndex { $0.start <= position }!
        let offset = position - lists[list].start
        let taken = lists[list].snapshots[offset]
        lists[list].waiting -= 1
        if lists[list].waiting == 0 {
            lists.remove(at: list)
        } else {
            lists[list].snapshots.releaseDirectory(at: offset)
        }
        if index.count == 0 { self = PassSnapshots() }
        return taken
    }

    /// The snapshot at `position` (over every list added), or in `pending` (the list being added) past them.
    private func snapshot(at position: Int, pending: SnapshotList = []) -> CredentialSnapshot {
        if position >= total { return pending[position - total] }
        let list = lists.lastIndex { $0.start <= position }!
        return lists[list].snapshots[position - lists[list].start]
    }
}
