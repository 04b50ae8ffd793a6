import Foundation
import Testing
@testable import Engine

/// Shallow scans stat only the user directories; a directory is listed again when it changed or changed recently.
/// Scans pass `now` ten seconds ahead where the directories must count as old (not changed "in the last 2 s").
@Suite("Shallow scans of unchanged user directories")
struct ShallowScanTests {
    private let later = Date(timeIntervalSinceNow: 10)

    private func tree(users: Int) throws -> TemporaryDirectory { try userTree(users: users, label: "engine-shallow") }

    @Test("an unchanged directory is not listed again; a deep scan lists everything")
    func unchangedNotListed() async throws {
        let root = try tree(users: 5)
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (first, listings) = try await scanner.scan(previous: [:], deep: true)
        #expect(first.listed.count == 5 && first.credentials.count == 5)
        let (second, _) = try await scanner.scan(previous: listings, now: later, deep: false)
        #expect(second.listed.isEmpty)
        #expect(second.credentials.isEmpty)
        #expect(second.users.count == 5)
        let (deep, _) = try await scanner.scan(previous: listings, now: later, deep: true)
        #expect(deep.listed.count == 5)
    }

    @Test("a directory that gained a file (by rename, as credd writes) is listed again")
    func changedDirectoryListed() async throws {
        let root = try tree(users: 3)
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (_, listings) = try await scanner.scan(previous: [:], deep: true)
        try root.write("u1/other.top.tmp", "x")
        #expect(rename(root.file("u1/other.top.tmp"), root.file("u1/other.top")) == 0)
        let (second, _) = try await scanner.scan(previous: listings, now: later, deep: false)
        #expect(second.listed == ["u1"])
        #expect(Set(second.credentials.map(\.id.description)) == ["u1/svc", "u1/other"])
    }

    @Test("a directory changed within the last two seconds is listed again even if its status looks the same")
    func racyDirectoryListed() async throws {
        let root = try tree(users: 2)
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (_, listings) = try await scanner.scan(previous: [:], deep: true)
        // "Now" one second after the directories last changed, however long the test took to get here.
        let changed = try #require(Files.changed(root.file("u0")))
        let (second, _) = try await scanner.scan(previous: listings, now: changed.addingTimeInterval(1), deep: false)
        #expect(second.listed.contains("u0"), "u0 changed less than two seconds before 'now'")
        let (afterwards, _) = try await scanner.scan(previous: listings, now: later, deep: false)
        #expect(afterwards.listed.isEmpty)
    }

    @Test("an unchanged root is not listed again; a user added or removed, a racy root or a deep scan without known credentials lists it")
    func unchangedRootNotListed() async throws {
        let root = try tree(users: 3)
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (first, listings) = try await scanner.scan(previous: [:], now: later, deep: true)
        #expect(first.listedRoot)
        let firstRoot = try #require(first.rootListing)
        #expect(firstRoot.users.sorted() == ["u0", "u1", "u2"])

        let (same, _) = try await scanner.scan(previous: listings, now: later, deep: false, previousRoot: firstRoot)
        #expect(!same.listedRoot)
        #expect(same.users == ["u0", "u1", "u2"])
        let (deep, _) = try await scanner.scan(previous: listings, now: later, deep: true, known: [:], previousRoot: firstRoot)
        #expect(!deep.listedRoot && deep.users == ["u0", "u1", "u2"])
        let (everything, _) = try await scanner.scan(previous: listings, now: later, deep: true, previousRoot: firstRoot)
        #expect(everything.listedRoot, "a deep scan without known credentials lists everything")

        // "Now" one second after the root last changed: its stamp may not show a change made in the same tick.
        let changed = try #require(Files.changed(root.path))
        let (racy, _) = try await scanner.scan(previous: listings, now: changed.addingTimeInterval(1), deep: false, previousRoot: firstRoot)
        #expect(racy.listedRoot)

        try FileManager.default.createDirectory(atPath: root.file("u3"), withIntermediateDirectories: false)
        let (added, _) = try await scanner.scan(previous: listings, now: later.addingTimeInterval(10), deep: false, previousRoot: firstRoot)
        #expect(added.listedRoot && added.users.contains("u3"))
        let addedRoot = try #require(added.rootListing)
        try FileManager.default.removeItem(atPath: root.file("u0"))
        let (removed, _) = try await scanner.scan(previous: listings, now: later.addingTimeInterval(10), deep: false, previousRoot: addedRoot)
        #expect(removed.listedRoot && !removed.users.contains("u0"))
    }

    @Test("a removed user directory disappears from the users of a shallow scan")
    func removedUser() async throws {
        let root = try tree(users: 2)
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (_, listings) = try await scanner.scan(previous: [:], deep: true)
        try FileManager.default.removeItem(atPath: root.file("u1"))
        let (second, next) = try await scanner.scan(previous: listings, now: later, deep: false)
        #expect(second.users == ["u0"])
        #expect(next["u1"] == nil)
    }

    /// The credential `service` of users u0 ..., without stamps (each found one is reported).
    private func known(_ users: Int, service: String = "svc") -> [String: [KnownCredential]] {
        let token = TokenName(stem: service, allowSpecialCharacters: false)!
        return Dictionary(uniqueKeysWithValues: (0..<users).map { ("u\($0)", [KnownCredential(token: token)]) })
    }

    /// The credentials a scan reported, with the stamps it found, as a caller would know them afterwards.
    private func known(from scan: DirectoryScanner.Result) -> [String: [KnownCredential]] {
        Dictionary(grouping: scan.credentials, by: \.id.user).mapValues { snapshots in
            snapshots.map { KnownCredential(token: $0.id.token, seed: $0.seed.stamp, access: $0.access?.stamp) }
        }
    }

    @Test("a deep scan given the known credentials stats them in unchanged directories without listing them")
    func deepVerifiesUnchanged() async throws {
        let root = try tree(users: 4)
        try root.write("u2/svc.use", "token")
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (_, listings) = try await scanner.scan(previous: [:], deep: true)
        // An in-place write (no rename: the directory's stamp stays) is what the file stats are for.
        let handle = try #require(FileHandle(forWritingAtPath: root.file("u1/svc.top")))
        handle.write(Data("rewritten in place".utf8))
        try handle.close()
        let (deep, _) = try await scanner.scan(previous: listings, now: later, deep: true, known: known(4))
        #expect(deep.listed.isEmpty)
        #expect(deep.verified == ["u0", "u1", "u2", "u3"])
        #expect(deep.credentials.count == 4)
        let u1 = try #require(deep.credentials.first { $0.id.user == "u1" })
        #expect(u1.seed.size == Int64("rewritten in place".utf8.count))
        #expect(deep.credentials.first { $0.id.user == "u2" }?.access?.size == 5)
        #expect(deep.credentials.first { $0.id.user == "u3" }?.access == nil)
        #expect(deep.fullyReportedUsers() == ["u0", "u1", "u2", "u3"])
    }

    @Test("a verifying deep scan still lists a changed directory, and reports a known credential whose .top is gone as absent")
    func deepListsChangedAndMissesRemoved() async throws {
        let root = try tree(users: 3)
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (_, listings) = try await scanner.scan(previous: [:], deep: true)
        try root.write("u1/new.top", "x")
        let (deep, _) = try await scanner.scan(previous: listings, now: later, deep: true, known: known(3, service: "gone"))
        #expect(deep.listed == ["u1"])
        #expect(deep.verified == ["u0", "u2"])
        // u0 and u2 know only "gone", which has no .top: nothing found, and both count as fully reported (removal).
        #expect(Set(deep.credentials.map(\.id.description)) == ["u1/svc", "u1/new"])
        #expect(Set(deep.missing.map(\.description)) == ["u0/gone", "u2/gone"])
        #expect(deep.unchanged == 0)
        #expect(deep.fullyReportedUsers().contains("u0") && !deep.fullyReportedUsers().contains("nobody"))
    }

    @Test("given the stamps it knows, a deep scan only counts the credentials found as known and reports the others")
    func deepCountsUnchanged() async throws {
        let root = try tree(users: 5)
        try root.write("u2/svc.use", "token")
        try root.write("u4/svc.use", "token")
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (first, listings) = try await scanner.scan(previous: [:], deep: true)
        let known = known(from: first)
        let (same, _) = try await scanner.scan(previous: listings, now: later, deep: true, known: known)
        #expect(same.listed.isEmpty)
        #expect(same.credentials.isEmpty)
        #expect(same.unchanged == 5 && same.missing.isEmpty)
        #expect(same.fullyReportedUsers() == ["u0", "u1", "u2", "u3", "u4"])

        // In place, so that no directory's stamp changes: a .top rewritten, a .use rewritten, a .use truncated away.
        for (file, text) in [("u1/svc.top", "rewritten in place"), ("u2/svc.use", "a longer token")] {
            let handle = try #require(FileHandle(forWritingAtPath: root.file(file)))
            handle.write(Data(text.utf8))
            try handle.close()
        }
        #expect(truncate(root.file("u4/svc.use"), 0) == 0)
        let (changed, _) = try await scanner.scan(previous: listings, now: later, deep: true, known: known)
        #expect(changed.listed.isEmpty)
        #expect(Set(changed.credentials.map(\.id.user)) == ["u1", "u2", "u4"])
        #expect(changed.unchanged == 2)
        #expect(changed.credentials.first { $0.id.user == "u1" }?.seed.size == Int64("rewritten in place".utf8.count))
        #expect(changed.credentials.first { $0.id.user == "u4" }?.access?.size == 0)
    }
}
