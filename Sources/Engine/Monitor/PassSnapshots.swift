/// The files of the credentials a pass queued, as its scan found them, until each credential's worker takes its own
/// (``Monitor/enqueuePass(_:listed:)``). The scan's own arrays are kept, with an index into it: a dictionary of the
/// snapshots themselves took a 16,384-slot table of whole snapshots for 10,000 credentials, and twice that while it
/// grew, beside the scan's array it was filled from; the index is a ``CredentialIndex`` (8 bytes a slot, where a
/// `[CredentialID: Int]` took 40). The arrays go as soon as the last snapshot is taken.
struct PassSnapshots {
    private var snapshots = SnapshotList()
    private var index = CredentialIndex()

    /// Whether no snapshot waits to be taken.
    var isEmpty: Bool { index.count == 0 }

    /// How many snapshots wait to be taken.
    var count: Int { index.count }

    /// Keeps `listed` (the scan's array, not copied) and indexes the snapshots `keeps` says wait for a worker. The
    /// snapshots not kept let go of their open directory at once. `expected` is how many the caller counted that
    /// `keeps` accepts: the index has room for that many, and with none the snapshots are not looked at (a deep pass
    /// with nothing due would otherwise walk them all to keep none).
    init(_ listed: consuming SnapshotList, expected: Int, keeping keeps: (CredentialSnapshot) -> Bool) {
        guard expected > 0 else { return }
        snapshots = listed
        index.reserveCapacity(min(expected, snapshots.count))
        for position in snapshots.indices {
            if keeps(snapshots[position]) {
                let id = snapshots[position].id
                index.insert(id, at: position) { snapshots[$0].id == id }
            } else {
                snapshots.releaseDirectory(at: position)
            }
        }
        if index.count == 0 { snapshots = [] }
    }

    init() {}

    /// The snapshot of `id`, if one waits; taken, it is no longer kept (nor its open directory).
    mutating func take(_ id: CredentialID) -> CredentialSnapshot? {
        guard let position = index.remove(id, matches: { snapshots[$0].id == id }) else { return nil }
        let snapshot = snapshots[position]
        snapshots.releaseDirectory(at: position)
        if index.count == 0 { snapshots = [] }
        return snapshot
    }
}
