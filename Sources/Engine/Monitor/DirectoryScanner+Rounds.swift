import FoundationEssentials

/// A first scan in rounds, and the parallel tasks every scan runs in.
///
/// A first scan has no stamps to compare: it lists the root once (``listRootForRounds(expectedUsers:)``), then lists the user
/// directories a round at a time (``scanRound(_:root:parallelism:handOverLimit:watcher:)``), so that the monitor can
/// hand one round's credentials to its workers before the next round is read, and holds only a round's snapshots at a
/// time however many users there are.
extension DirectoryScanner {
    /// The open root and its listing (users, problems, key files, temporary files, ``Result/rootListing``), for the
    /// rounds of a first scan; the stamp is taken before the listing, as ``scan(parallelism:previous:now:deep:known:stampDirectories:handOverLimit:watcher:previousRoot:)``
    /// takes it.
    public func listRootForRounds(expectedUsers: Int = 0) throws(SystemError) -> (root: DirectoryHandle, result: Result) {
        var result = Result()
        let handle = try DirectoryHandle.open(path: root)
        let status = try? FileStatus.of(descriptor: handle.descriptor, path: root)
        let users = try listRoot(handle, expectedUsers: expectedUsers, into: &result)
        result.listedRoot = true
        result.userList = users
        result.rootListing = status.map {
            RootListing(stamp: $0.stamp, users: users, problems: result.problems, keyFiles: result.keyFiles,
                        rootTemporaries: result.rootTemporaries)
        }
        return (handle, result)
    }

    /// One round of a first scan: lists every directory of `users` (some of the root's), without stamps, in up to
    /// `parallelism` tasks, watching each first. At most `handOverLimit` directories stay open in the credentials
    /// found there. The result has the round's credentials, problems, orphans, listed and watched users.
    public func scanRound(_ users: ArraySlice<String>, root: DirectoryHandle, parallelism: Int, handOverLimit: Int,
                          watcher: DirectoryWatcher?) async -> Result {
        await inTasks(users, root: root, parallelism: parallelism, handOverLimit: handOverLimit, watcher: watcher,
                      reserving: true) { user, handOver, partial in
            partial.listed.insert(user)
            _ = list(user, root: root, handOver: &handOver, into: &partial)
            return nil
        }.result
    }

    /// One round of a scan that lists every directory and takes its stamp (there are no listings to compare with:
    /// the pass after a first pass, or after a scan that failed): `users` (some of the root's), in up to
    /// `parallelism` tasks, watching each first. Returns the round's result and its users' stamps (nil: unreadable,
    /// listed again next time).
    public func scanRoundStamped(_ users: ArraySlice<String>, root: DirectoryHandle, parallelism: Int, now: Date,
                                 watcher: DirectoryWatcher?) async -> (result: Result, stamps: [[(user: String, stamp: FileStamp?)]]) {
        let racyBefore = now.timeIntervalSince1970 - 2
        let (result, changes, _) = await inTasks(users, root: root, parallelism: parallelism, handOverLimit: 0, watcher: watcher,
                                                 reserving: true) { user, handOver, partial in
            let stamp = scanUser(user, root: root, previous: nil, racyBefore: racyBefore, verifying: nil, handOver: &handOver,
                                 into: &partial)
            return (stamp, true)
        }
        return (result, changes)
    }

    /// What one user directory's look left for the stamps: its stamp now and whether that differs from the previous
    /// listing's (nil: the scan takes no stamps).
    typealias StampOutcome = (stamp: FileStamp?, changed: Bool)

    /// Looks at `users` in up to `parallelism` tasks of consecutive users (one per 256 users at most), each watching
    /// its users in groups of ``watchGroup`` before looking at them (the watches of one group overlap the listing of
    /// another). `look` looks at one user, with the task's share of the directories that may stay open, into the
    /// task's result. `reserving`: every directory is listed, and about one credential per user is expected (and,
    /// once one stamp changed, a change for every user after it): room for that many at once, not doubled step by
    /// step to up to twice as many (10,000 snapshots are 1.8 MB).
    ///
    /// Returns the tasks' results merged, each task's stamp changes as it made them (not concatenated: a listing of
    /// everything changes every stamp), and how many users have a stamp.
    func inTasks(_ users: ArraySlice<String>, root: DirectoryHandle, parallelism: Int, handOverLimit: Int,
                 watcher: DirectoryWatcher?, reserving: Bool,
                 look: @escaping @Sendable (String, inout Int, inout Result) -> StampOutcome?) async
        -> (result: Result, changes: [[(user: String, stamp: FileStamp?)]], stamped: Int) {
        let chunkCount = max(1, min(parallelism, users.count / 256 + 1))
        let chunkSize = max(1, (users.count + chunkCount - 1) / chunkCount)
        let handOverLimit = min(handOverLimit, users.count)
        if handOverLimit >= 256 { DirectoryHandle.reserveDescriptors(handOverLimit, near: root.descriptor) }
        var merged = Result()
        var changes: [[(user: String, stamp: FileStamp?)]] = []
        var stamped = 0
        await withTaskGroup(of: (Result, [(user: String, stamp: FileStamp?)], Int).self) { group in
            for chunkStart in stride(from: users.startIndex, to: users.endIndex, by: chunkSize) {
                let chunk = users[chunkStart..<min(users.endIndex, chunkStart + chunkSize)]
                group.addTask {
                    lookAt(chunk, handOverLimit: handOverLimit / chunkCount, watcher: watcher, reserving: reserving, look: look)
                }
            }
            for await (partial, partialChanges, partialStamped) in group {
                merged.absorb(partial)
                if !partialChanges.isEmpty { changes.append(partialChanges) }
                stamped += partialStamped
            }
        }
        return (merged, changes, stamped)
    }
}

extension DirectoryScanner {
    /// One task's part of ``inTasks(_:root:parallelism:handOverLimit:watcher:reserving:look:)``: its users, in order,
    /// each group of ``watchGroup`` watched before it is looked at.
    func lookAt(_ users: ArraySlice<String>, handOverLimit: Int, watcher: DirectoryWatcher?, reserving: Bool,
                look: (String, inout Int, inout Result) -> StampOutcome?) -> (Result, [(user: String, stamp: FileStamp?)], Int) {
        var partial = Result()
        var changes: [(user: String, stamp: FileStamp?)] = []
        if reserving { partial.credentials.reserveCapacity(users.count) }
        var stamped = 0
        var handOver = handOverLimit
        for (offset, user) in users.enumerated() {
            if let watcher, offset % Self.watchGroup == 0 {
                partial.watched.append(contentsOf: watcher.watchUsers(users.dropFirst(offset).prefix(Self.watchGroup)))
            }
            guard let outcome = look(user, &handOver, &partial) else { continue }
            if outcome.stamp != nil { stamped += 1 }
            guard outcome.changed else { continue }
            if reserving && changes.isEmpty { changes.reserveCapacity(users.count - offset) }
            changes.append((user, outcome.stamp))
        }
        return (partial, changes, stamped)
    }
}

extension DirectoryScanner.Result {
    /// Adds what `partial` (another task's or round's result over other users) found: credentials (their arrays
    /// moved in, not copied), problems, orphans, listed, verified, unchanged, missing and watched users.
    public mutating func absorb(_ partial: consuming DirectoryScanner.Result) {
        credentials.append(contentsOf: partial.takeCredentials())
        problems.append(contentsOf: partial.problems)
        orphans.append(contentsOf: partial.orphans)
        listed.formUnion(partial.listed)
        verifiedUsers.append(contentsOf: partial.verifiedUsers)
        unchanged += partial.unchanged
        missing.append(contentsOf: partial.missing)
        missingFromListings.append(contentsOf: partial.missingFromListings)
        watched.append(contentsOf: partial.watched)
    }
}
