import FoundationEssentials
import Glibc

/// One credential as found on disk: its `.top` and, if present, `.use`.
public struct CredentialSnapshot: Sendable {
    public var id: CredentialID
    public var seed: FileStatus
    public var access: FileStatus?
    /// The user directory, still open, when the scan hands it to the credential's worker (which then neither opens
    /// nor closes it again); nil: the worker opens it. Closed when the last snapshot holding it goes.
    public var directory: DirectoryHandle?
}

/// Something in the credential directory that is ignored, and why.
public struct ScanProblem: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "\(path): \(problem)" }
}

/// Reads the credential directory: user directories, their `.top` / `.use` files, without following symlinks.
///
/// A shallow scan costs one `stat` per user: a user directory whose own status (inode, mtime, ctime) has not changed
/// since the last scan keeps its previous listing and file statuses. Credd, the web app and Credmon all replace files
/// by `rename(2)`, which changes the directory's mtime; directories changed within the last two seconds are always
/// listed again, so a change in the same clock tick as the previous scan is not missed. In-place writes do not touch
/// the directory: inotify reports them at once, and a deep scan (which stats every file) catches anything else.
///
/// A deep scan given the credentials the monitor knows (`known`) lists only the directories a shallow scan would;
/// in an unchanged directory it stats each known `.top` and `.use` by its path below the root (three system calls
/// per user instead of seven): no file can have come or gone there without changing the directory's stamp, and
/// the stats still catch in-place writes. A known credential whose two files carry the stamps the caller gave is
/// only counted (``Result/unchanged``); one whose `.top` is gone is named (``Result/missing``).
///
/// A first scan (`stampDirectories: false`) lists every directory without a stat: it has no stamps to compare, and
/// the workers' writes that follow it change nearly every directory's stamp anyway; the next scan lists them all
/// again and takes their stamps. It may also hand the open directories over with their credentials (`handOverLimit`),
/// so that their workers need not open them again.
public struct DirectoryScanner: Sendable {
    public var root: String
    public var allowSpecialCharacters: Bool

    public init(root: String, allowSpecialCharacters: Bool) {
        self.root = root
        self.allowSpecialCharacters = allowSpecialCharacters
    }

    /// The status of every user directory at the last scan, carried from one scan to the next.
    public typealias Listings = [String: FileStamp]

    /// What a listing of the root found, with the root's stamp taken just before it: a later scan that finds the
    /// root with that stamp (and not changed within the two seconds before it) takes this instead of listing the
    /// root again. Users come and go by `mkdir`, `rmdir` and `rename`, each of which changes the root's stamp.
    public struct RootListing: Sendable {
        public var stamp: FileStamp
        public var users: [String]
        public var problems: [ScanProblem]
        public var keyFiles: [String]
        public var rootTemporaries: [String]
    }

    /// The result of a scan.
    public struct Result: Sendable {
        /// The credentials of the user directories that were listed (new or changed ones; all of them in a deep scan
        /// without `known`), and those of verified directories whose files differ from the stamps the caller knew.
        public var credentials = SnapshotList()
        /// Known credentials of verified directories found exactly as the caller knew them (both files' stamps).
        public var unchanged = 0
        /// Known credentials of verified directories whose `.top` is gone (or is no longer a regular file).
        public var missing: [CredentialID] = []
        /// ``credentials``, leaving them empty: the arrays move on without a copy.
        public mutating func takeCredentials() -> SnapshotList {
            defer { credentials = [] }
            return credentials
        }
        /// Every user directory present, in the root's order.
        public var userList: [String] = []
        /// Every user directory present (built from ``userList`` on each use).
        public var users: Set<String> { Set(userList) }
        /// The user directories that were listed (the others are unchanged since the previous scan).
        public var listed: Set<String> = []
        /// Unchanged user directories whose known credentials a deep scan stat'ed without listing them.
        public var verifiedUsers: [String] = []
        /// ``verifiedUsers`` as a set (built on each use).
        public var verified: Set<String> { Set(verifiedUsers) }
        /// Whether the listed user directories were checked against the caller's credentials (see
        /// ``DirectoryScanner/list(_:root:handOver:checking:into:)``): each known one of a ``listed`` user is then in
        /// `credentials`, counted in `unchanged` or named in `missingFromListings`, as for a verified directory. (A
        /// flag, not a list: 10,000 names took 0.4 MB in the pass that lists every directory again.)
        public var listingsChecked = false
        /// Known credentials of listed directories that their checked listing did not find (or could not read).
        public var missingFromListings: [CredentialID] = []
        public var problems: [ScanProblem] = []
        /// Temporary files left by a hard kill: (user, file name).
        public var orphans: [(user: String, name: String)] = []
        /// The user directories the scan's watcher began to watch (see ``DirectoryScanner/scan(parallelism:previous:now:deep:known:stampDirectories:handOverLimit:watcher:)``).
        public var watched: [String] = []
        /// Names at the top of the root that look like key files (64 lowercase hex digits; see ``LeftoverFiles``).
        public var keyFiles: [String] = []
        /// Temporary files at the top of the root (a `pid` being written when a run was killed).
        public var rootTemporaries: [String] = []
        /// This scan's view of the root, for the next scan (nil when the root could not be stat'ed).
        public var rootListing: RootListing?
        /// Whether the root was listed (false: an unchanged root's previous listing was used).
        public var listedRoot = false
        /// Number of listed user directories.
        public var listedUsers: Int { listed.count }

        /// The users whose every credential is accounted for (their directory was listed: all in `credentials`; or
        /// verified: each known one in `credentials`, counted in `unchanged` or named in `missing`).
        public func fullyReportedUsers() -> Set<String> { listed.union(verifiedUsers) }
    }

    /// Lists the user directories of the root.
    public func users(problems: inout [ScanProblem]) throws(SystemError) -> [String] {
        var result = Result(problems: problems)
        let users = try listRoot(try DirectoryHandle.open(path: root), into: &result)
        problems = result.problems
        return users
    }

    /// Lists the root (`handle`): its user directories (returned), problems, key files and temporary files (into
    /// `result`). `expectedUsers` (the last listing's count; 0: unknown) sizes the list with room for a sixteenth
    /// more, so that a root of 10,000 users is not grown to it by doubling (a copy beside each old array).
    func listRoot(_ handle: DirectoryHandle, expectedUsers: Int = 0, into result: inout Result) throws(SystemError) -> [String] {
        var users: [String] = []
        if expectedUsers > 0 { users.reserveCapacity(expectedUsers + expectedUsers / 16 + 16) }
        try handle.forEachEntry { (entry) throws(SystemError) in
            var type = entry.type
            if type == nil { type = try FileStatus.at(handle.descriptor, entry.name, path: handle.childPath(entry.name))?.type }
            if type != .directory && entry.name.hasPrefix(AtomicWriter.temporaryPrefix) {
                result.rootTemporaries.append(entry.name)
                return
            }
            if type == .regular && LeftoverFiles.isKeyFileName(entry.name) {
                result.keyFiles.append(entry.name)
                return
            }
            switch type {
            case .directory:
                if CredentialNames.isValidUser(entry.name) {
                    users.append(entry.name)
                } else {
                    result.problems.append(ScanProblem(path: handle.childPath(entry.name), problem: "not a valid user name (letters, digits, - + = _ . only); ignored"))
                }
            case .symlink:
                result.problems.append(ScanProblem(path: handle.childPath(entry.name), problem: "is a symlink; symlinks are never followed in the credential directory, ignored"))
            default:
                return
            }
        }
        return users
    }

    /// Scans every user directory afresh, in parallel chunks.
    public func scanAll(parallelism: Int = 2) async throws(SystemError) -> Result {
        try await scan(parallelism: parallelism).0
    }

    /// Scans every user directory, in parallel chunks, reusing `previous` listings where the directory is unchanged.
    /// A deep scan stats every file: it lists every directory, or, given `known` (the credentials of each user the
    /// caller tracks), stats the known files of the unchanged ones. `watcher` watches each user directory before it
    /// is looked at, so that nothing written after a listing goes unseen (in groups of ``watchGroup``, by the scan's
    /// tasks: the watches of one group overlap the listing of another; those it began are in `watched`).
    /// `stampDirectories: false` lists every directory without taking stamps (a first scan); `handOverLimit`: how
    /// many listed directories may stay open in the credentials found there. `previousRoot`: the last scan's
    /// ``Result/rootListing``, used as the root's listing while the root's stamp is unchanged (not by a deep scan
    /// without `known`, which lists everything).
    public func scan(parallelism: Int = 2, previous: consuming Listings = [:], now: Date = Date(), deep: Bool = true,
                     known: KnownCredentials? = nil, stampDirectories: Bool = true, handOverLimit: Int = 0,
                     watcher: DirectoryWatcher? = nil, previousRoot: RootListing? = nil) async throws(SystemError) -> (Result, Listings) {
        guard stampDirectories else {
            // A first scan: the root's listing, then every user in one round.
            var (root, merged) = try listRootForRounds()
            let users = merged.userList
            merged.absorb(await scanRound(users[...], root: root, parallelism: parallelism, handOverLimit: handOverLimit,
                                          watcher: watcher))
            return (merged, [:])
        }
        let reused: Listings
        let listEverything = deep && known == nil
        if listEverything { reused = [:] } else { reused = consume previous }
        let verifying = deep ? known : nil
        let racyBefore = now.timeIntervalSince1970 - 2
        var merged = Result()
        // The stamp of the directory listed, taken before its listing: whatever changes the root during or after the
        // listing changes it.
        let rootHandle = try DirectoryHandle.open(path: root)
        let rootStatus = try? FileStatus.of(descriptor: rootHandle.descriptor, path: root)
        let users: [String]
        if !listEverything, let previousRoot, let rootStatus, rootStatus.stamp == previousRoot.stamp,
           rootStatus.modified.epochSeconds < racyBefore, rootStatus.changed.epochSeconds < racyBefore {
            users = previousRoot.users
            merged.problems = previousRoot.problems
            merged.keyFiles = previousRoot.keyFiles
            merged.rootTemporaries = previousRoot.rootTemporaries
        } else {
            users = try listRoot(rootHandle, expectedUsers: previousRoot?.users.count ?? reused.count, into: &merged)
            merged.listedRoot = true
        }
        merged.rootListing = rootStatus.map {
            RootListing(stamp: $0.stamp, users: users, problems: merged.problems, keyFiles: merged.keyFiles,
                        rootTemporaries: merged.rootTemporaries)
        }
        merged.userList = users
        // Each task reports only the stamps that differ from the previous listings (new, changed, unreadable), and
        // how many of its users have a stamp afterwards: an unchanged directory costs no dictionary insert.
        let (found, changes, stamped) = await inTasks(users[...], root: rootHandle, parallelism: parallelism,
                                                      handOverLimit: handOverLimit, watcher: watcher,
                                                      reserving: listEverything) { user, handOver, partial in
            let before = reused[user]
            let stamp = scanUser(user, root: rootHandle, previous: before, racyBefore: racyBefore,
                                 verifying: verifying, checking: known, handOver: &handOver, into: &partial)
            return (stamp, stamp != before)
        }
        merged.absorb(found)
        merged.listingsChecked = known != nil
        var listings = consume reused  // not copied: a pass that changes a few stamps changes them in place
        // Room for every user present at most: most changes replace a stamp (a pass that lists every directory
        // changes all 10,000), and room for as many again doubled the table (0.8 -> 1.5 MB) for good.
        listings.reserveCapacity(min(listings.count + changes.reduce(0) { $0 + $1.count }, users.count))
        for partial in changes {
            for (user, stamp) in partial { listings[user] = stamp }
        }
        // Users gone since the previous listings: their stamps go too.
        if listings.count != stamped {
            let present = Set(users)
            listings = listings.filter { present.contains($0.key) }
        }
        return (merged, listings)
    }

    /// ``scan(parallelism:previous:now:deep:known:stampDirectories:handOverLimit:watcher:previousRoot:)`` given the
    /// known credentials as a dictionary by user.
    public func scan(parallelism: Int = 2, previous: consuming Listings = [:], now: Date = Date(), deep: Bool = true,
                     known: [String: [KnownCredential]], watcher: DirectoryWatcher? = nil,
                     previousRoot: RootListing? = nil) async throws(SystemError) -> (Result, Listings) {
        try await scan(parallelism: parallelism, previous: previous, now: now, deep: deep, known: KnownCredentials(known),
                       watcher: watcher, previousRoot: previousRoot)
    }

    /// How many user directories a scan task watches at once (under the watcher's lock) before looking at them.
    static let watchGroup = 64

    /// The users among `users` whose directory's stamp is not `listings`' (changed since listed, or gone): one stat
    /// each, the root opened once.
    public func changedSinceListing(_ users: [String], listings: Listings) -> [String] {
        guard !users.isEmpty, let rootHandle = try? DirectoryHandle.open(path: root) else { return users }
        return users.filter { user in
            let status = try? FileStatus.at(rootHandle.descriptor, user, path: "")
            return status?.stamp != listings[user]
        }
    }

    /// Scans one user directory (always listing it) and appends what it finds.
    public func scanUser(_ user: String, into result: inout Result) {
        guard let rootHandle = try? DirectoryHandle.open(path: root) else { return }
        var handOver = 0
        _ = scanUser(user, root: rootHandle, previous: nil, racyBefore: .infinity, verifying: nil, handOver: &handOver,
                     into: &result)
        result.userList.append(user)
    }

    /// `verifying`: the known credentials (of every user) whose files to stat if `user`'s directory is unchanged (a
    /// deep scan); nil: none. `checking`: the known credentials to check a listing against (see ``list(_:root:handOver:checking:into:)``).
    func scanUser(_ user: String, root: DirectoryHandle, previous: FileStamp?, racyBefore: Double, verifying: KnownCredentials?,
                  checking: KnownCredentials? = nil, handOver: inout Int, into result: inout Result) -> FileStamp? {
        guard let status = try? FileStatus.at(root.descriptor, user, path: ""), status.type == .directory else {
            if (try? FileStatus.at(root.descriptor, user, path: ""))??.type == .symlink {
                result.problems.append(ScanProblem(path: root.childPath(user), problem: "is a symlink; symlinks are never followed in the credential directory, ignored"))
            }
            return nil
        }
        let stamp = status.stamp
        if let previous, previous == stamp, status.modified.epochSeconds < racyBefore, status.changed.epochSeconds < racyBefore {
            if let verifying { verify(user, known: verifying, root: root, into: &result) }
            return stamp
        }
        result.listed.insert(user)
        return list(user, root: root, handOver: &handOver, checking: checking, into: &result) ? stamp : nil
    }

    /// Stats the known credentials of an unchanged user directory by their paths below the root.
    ///
    /// The path has one directory component, `user`, which this scan has just found to be the same directory as at
    /// its listing (same inode and times, not a symlink); only whoever can write the credential directory itself could
    /// swap it in between, and a stat is all that would reach elsewhere: whatever differs goes to a worker, which
    /// opens the directory without following symlinks.
    private func verify(_ user: String, known: KnownCredentials, root: DirectoryHandle, into result: inout Result) {
        result.verifiedUsers.append(user)
        for credential in known.credentials(of: user) {
            let token = credential.token
            // `<user>/<stem>.top`, then `.use` in the same storage: one allocation per credential.
            var path = ""
            path.reserveCapacity(user.utf8.count + token.stem.utf8.count + 5)
            path += user
            path += "/"
            path += token.stem
            path += ".top"
            guard let seed = (try? FileStatus.at(root.descriptor, path, path: "")) ?? nil, seed.type == .regular else {
                result.missing.append(CredentialID(user: user, token: token))
                continue
            }
            path.removeLast(3)
            path += "use"
            let access = (try? FileStatus.at(root.descriptor, path, path: "")) ?? nil
            if KnownCredentials.matches(credential, seed: seed.stamp, access: access?.stamp) {
                result.unchanged += 1
                continue
            }
            result.credentials.append(CredentialSnapshot(id: CredentialID(user: user, token: token), seed: seed, access: access))
        }
    }

    /// Lists one user directory; false when it cannot be read (it is then listed again next time). While `handOver`
    /// is above zero, the credentials found keep the open directory (and it counts one down).
    ///
    /// Given `checking` (the credentials the caller tracks), a credential found with the files the caller knew is
    /// counted in ``Result/unchanged`` instead of reported, and a known one not found (every known one, when the
    /// directory cannot be read) is named in ``Result/missingFromListings``. A scan that lists thousands of
    /// directories where nothing changed (the pass after a first pass lists every directory written in its last two
    /// seconds) so holds no snapshot of them: 10,000 snapshots, grown step by step in two tasks, took 4.5 MB.
    func list(_ user: String, root: DirectoryHandle, handOver: inout Int, checking: KnownCredentials? = nil,
              into result: inout Result) -> Bool {
        let directory: DirectoryHandle
        do {
            directory = try root.openChild(user)
        } catch {
            if error.errno != ENOENT {
                result.problems.append(ScanProblem(path: root.childPath(user), problem: error.errno == ELOOP ? "is a symlink; ignored" : "cannot be read (\(error)); ignored"))
            }
            reportUnread(user, checking: checking, into: &result)
            return false
        }
        guard let entries = try? directory.entries() else {
            result.problems.append(ScanProblem(path: directory.path, problem: "cannot list it; ignored"))
            reportUnread(user, checking: checking, into: &result)
            return false
        }
        var seedStems: [String] = []
        var accessStems: Set<String> = []
        for entry in entries {
            let name = entry.name
            if name.hasPrefix(AtomicWriter.temporaryPrefix) {
                result.orphans.append((user, name))
            } else if name.hasSuffix(".top") {
                if entry.type == .symlink {
                    result.problems.append(ScanProblem(path: directory.childPath(name), problem: "is a symlink; symlinks are never followed, ignored"))
                } else {
                    seedStems.append(String(name.dropLast(4)))
                }
            } else if name.hasSuffix(".use") {
                accessStems.insert(String(name.dropLast(4)))
            }
        }
        let kept = handOver > 0 ? directory : nil
        var handedOver = false
        var knownHere = checking.map { Array($0.credentials(of: user)) } ?? []
        for stem in seedStems {
            guard let token = TokenName(stem: stem, allowSpecialCharacters: allowSpecialCharacters) else {
                result.problems.append(ScanProblem(path: directory.childPath(stem + ".top"), problem: "not a valid credential name (service[_handle], letters, digits, - + = . only, no trailing _); ignored"))
                continue
            }
            guard let seed = try? FileStatus.at(directory.descriptor, stem + ".top", path: ""), seed.type == .regular else { continue }
            let access = accessStems.contains(stem) ? (try? FileStatus.at(directory.descriptor, stem + ".use", path: "")) ?? nil : nil
            if let position = knownHere.firstIndex(where: { $0.token == token }) {
                let entry = knownHere.remove(at: position)
                if KnownCredentials.matches(entry, seed: seed.stamp, access: access?.stamp) {
                    result.unchanged += 1
                    continue
                }
            }
            result.credentials.append(CredentialSnapshot(id: CredentialID(user: user, token: token), seed: seed, access: access,
                                                         directory: kept))
            handedOver = kept != nil
        }
        if handedOver { handOver -= 1 }
        for entry in knownHere { result.missingFromListings.append(CredentialID(user: user, token: entry.token)) }
        return true
    }

    /// A directory a checked listing could not read: every known credential there is named as not found (the pass
    /// looks at each, as it looks at those of an unchecked listing that found nothing).
    private func reportUnread(_ user: String, checking: KnownCredentials?, into result: inout Result) {
        guard let checking else { return }
        for entry in checking.credentials(of: user) { result.missingFromListings.append(CredentialID(user: user, token: entry.token)) }
    }
}
