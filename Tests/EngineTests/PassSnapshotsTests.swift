import Foundation
import Testing
@testable import Engine

/// A pass keeps its scan's snapshots for the credentials it queued until each worker takes its own.
@Suite("A pass's snapshots: kept as the scan made them, taken once")
struct PassSnapshotsTests {
    /// A first scan of `users` users (u0 with a second credential) that hands every directory over.
    private func scan(users: Int) async throws -> (root: TemporaryDirectory, credentials: SnapshotList) {
        let root = try userTree(users: users, label: "engine-pass-snapshots")
        try root.write("u0/other.top", "x")
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (found, _) = try await scanner.scan(stampDirectories: false, handOverLimit: 100)
        return (root, found.credentials)
    }

    @Test("only the snapshots asked for are kept; each is taken once, with its file status and open directory")
    func takenOnce() async throws {
        let (root, credentials) = try await scan(users: 4)
        let kept = Set(credentials.map(\.id).filter { $0.user != "u3" })
        var snapshots = PassSnapshots(credentials, expected: kept.count) { kept.contains($0.id) }
        #expect(snapshots.count == kept.count)
        for id in kept {
            let taken = snapshots.take(id)
            let snapshot = try #require(taken)
            #expect(snapshot.id == id)
            #expect(try snapshot.seed.size == FileStatus.of(path: root.file("\(id.user)/\(id.token.stem).top"))?.size)
            let handle = try #require(snapshot.directory)
            #expect(descriptor(handle.descriptor, isOpenOn: root.file(id.user)))
            let again = snapshots.take(id)
            #expect(again == nil, "taken twice")
        }
        #expect(snapshots.isEmpty)
        #expect(PassSnapshots(credentials, expected: 0) { _ in true }.isEmpty, "none expected: none kept")
        let notKept = try #require(credentials.first { $0.id.user == "u3" }).id
        let never = snapshots.take(notKept)
        #expect(never == nil, "never kept")
    }

    @Test("a directory closes once no kept snapshot holds it: at once for those not kept, at its take for the others")
    func directoriesClose() async throws {
        var (root, credentials) = try await scan(users: 3)
        // u0's two credentials share its handle: one kept, one not. u2 is not kept at all.
        let u0 = credentials.indices.filter { credentials[$0].id.user == "u0" }
        let keptID = credentials[u0[0]].id
        let u0Descriptor = try #require(credentials[u0[0]].directory?.descriptor)
        let u2Descriptor = try #require(credentials.first { $0.id.user == "u2" }?.directory?.descriptor)
        var snapshots = PassSnapshots(credentials, expected: 3) { $0.id == keptID || $0.id.user == "u1" }
        credentials = []  // the pass's snapshots are the only holders now
        #expect(!descriptor(u2Descriptor, isOpenOn: root.file("u2")), "u2, not kept, is closed at once")
        #expect(descriptor(u0Descriptor, isOpenOn: root.file("u0")), "u0 is still held by its kept snapshot")
        do {
            let taken = snapshots.take(keptID)
            #expect(taken?.directory?.descriptor == u0Descriptor)
        }
        #expect(!descriptor(u0Descriptor, isOpenOn: root.file("u0")), "closed once the taken snapshot is gone")
    }

    @Test("snapshots added round by round (a first pass's) are each taken once, the rounds before done or not")
    func addedInRounds() async throws {
        let root = try userTree(users: 9, label: "engine-pass-snapshots-rounds")
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (handle, listing) = try scanner.listRootForRounds()
        let users = listing.userList
        var rounds: [SnapshotList] = []
        for start in stride(from: 0, to: 9, by: 3) {
            rounds.append(await scanner.scanRound(users[start..<start + 3], root: handle, parallelism: 1, handOverLimit: 3, watcher: nil).credentials)
        }
        let skipped = try #require(rounds[1].first).id
        var snapshots = PassSnapshots()
        snapshots.add(rounds[0], expected: 3) { _ in true }
        snapshots.add(rounds[1], expected: 2) { $0.id != skipped }
        #expect(snapshots.count == 5)
        // The first round is done before the third comes; the second still waits.
        for snapshot in rounds[0] { #expect(snapshots.take(snapshot.id)?.id == snapshot.id) }
        snapshots.add(rounds[2], expected: 3) { _ in true }
        #expect(snapshots.count == 5)
        #expect(snapshots.take(skipped) == nil, "never kept")
        for snapshot in rounds[2].reversed() + rounds[1].filter({ $0.id != skipped }) {
            let taken = snapshots.take(snapshot.id)
            #expect(taken?.id == snapshot.id)
            #expect(taken?.seed.size == snapshot.seed.size)
            #expect(snapshots.take(snapshot.id) == nil, "taken twice")
        }
        #expect(snapshots.isEmpty)
    }

    @Test("snapshots in several arrays (one per scan task) are indexed, taken and released across the arrays")
    func acrossArrays() async throws {
        let (root, scanned) = try await scan(users: 4)
        let all = Array(scanned)
        var list = SnapshotList(Array(all.prefix(2)))
        list.append(contentsOf: SnapshotList(Array(all.dropFirst(2).prefix(1))))
        list.append(contentsOf: SnapshotList())
        list.append(contentsOf: SnapshotList(Array(all.dropFirst(3))))
        #expect(list.map(\.id) == all.map(\.id), "the order of the arrays, appended")
        #expect(list.indices.map { list[$0].id } == all.map(\.id), "positions across the arrays")
        let last = try #require(all.last)
        let u3 = try #require(all.first { $0.id.user == "u3" })
        var snapshots = PassSnapshots(list, expected: 2) { $0.id == last.id || $0.id == all[0].id }
        #expect(snapshots.count == 2)
        #expect(snapshots.take(last.id)?.id == last.id, "from the last array")
        #expect(snapshots.take(all[0].id)?.id == all[0].id, "from the first array")
        #expect(snapshots.isEmpty)
        if u3.id != last.id, let handle = u3.directory {
            #expect(descriptor(handle.descriptor, isOpenOn: root.file("u3")), "the test's own copy still holds u3")
        }
    }
}
