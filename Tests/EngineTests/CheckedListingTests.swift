import Foundation
import Testing
@testable import Engine

/// Listings checked against the credentials the caller tracks: only what differs is reported.
@Suite("Listings checked against the known credentials")
struct CheckedListingTests {
    @Test("a scan given the known credentials counts those it lists unchanged, reports new and changed ones, and names those gone")
    func scannerReportsOnlyDifferences() async throws {
        let root = try userTree(users: 4, label: "engine-checked")
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (first, listings) = try await scanner.scan(previous: [:], deep: true)
        let known = KnownCredentials(Dictionary(grouping: first.credentials, by: \.id.user).mapValues { snapshots in
            snapshots.map { KnownCredential(token: $0.id.token, seed: $0.seed.stamp, access: $0.access?.stamp) }
        })
        try root.write("u1/other.top", "x")                                  // a new credential beside a known one
        try FileManager.default.removeItem(atPath: root.file("u2/svc.top"))  // a known one gone
        try root.write("u3/svc.use", "token")                                // a known one changed
        // "Now" one second after u0 last changed (however long the test took to get here): u0 is listed, unchanged
        // but racy, and the others, changed since, too.
        let changed = try #require(Files.changed(root.file("u0")))
        for deep in [false, true] {
            let (scan, _) = try await scanner.scan(previous: listings, now: changed.addingTimeInterval(1), deep: deep, known: known)
            #expect(scan.listed == ["u0", "u1", "u2", "u3"], "deep: \(deep)")
            #expect(scan.listingsChecked)
            #expect(Set(scan.credentials.map(\.id.description)) == ["u1/other", "u3/svc"])
            #expect(scan.unchanged == 2, "u0/svc and u1/svc, as known")
            #expect(scan.missingFromListings.map(\.description) == ["u2/svc"])
            #expect(scan.missing.isEmpty && scan.verifiedUsers.isEmpty)
        }
        // Without known credentials a listing reports everything it finds, as before.
        let (plain, _) = try await scanner.scan(previous: listings, now: changed.addingTimeInterval(1), deep: false)
        #expect(plain.credentials.count == 4 && !plain.listingsChecked && plain.unchanged == 0)
    }

    @Test("a checked listing that cannot read its directory names every known credential there as not found")
    func unreadDirectoryNamesItsCredentials() throws {
        let root = try userTree(users: 1, label: "engine-checked-unread")
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let known = KnownCredentials(["ghost": [KnownCredential(token: TokenName(service: "svc")), KnownCredential(token: TokenName(service: "other"))]])
        var result = DirectoryScanner.Result()
        var handOver = 0
        let handle = try DirectoryHandle.open(path: root.path)
        #expect(!scanner.list("ghost", root: handle, handOver: &handOver, checking: known, into: &result))
        #expect(Set(result.missingFromListings.map(\.description)) == ["ghost/svc", "ghost/other"])
        #expect(!scanner.list("ghost", root: handle, handOver: &handOver, into: &result), "unchecked: nothing named")
        #expect(result.missingFromListings.count == 2)
    }

    @Test("A shallow scan takes the known credentials only when a round's worth of directories changed in the last two seconds")
    func racyDirectoriesCounted() async throws {
        let harness = try MonitorHarness(providers: [ScriptedProvider(name: "svc")])
        let now = harness.clock.now().timeIntervalSince1970
        func stamp(_ secondsAgo: Double) -> FileStamp {
            let nanoseconds = Int64((now - secondsAgo) * 1e9)
            return FileStamp(inode: 1, size: 0, modified: nanoseconds - 5_000_000_000, changed: nanoseconds)
        }
        var listings = DirectoryScanner.Listings()
        for index in 0..<10 { listings["old\(index)"] = stamp(10) }
        for index in 0..<3 { listings["racy\(index)"] = stamp(1) }
        #expect(await harness.monitor.racyDirectories(in: listings, atLeast: 3))
        #expect(await !harness.monitor.racyDirectories(in: listings, atLeast: 4))
        harness.clock.advance(by: 2)
        #expect(await !harness.monitor.racyDirectories(in: listings, atLeast: 1), "two seconds later none is racy")
        harness.clock.advance(by: 1e10)  // past 2262: beyond the stamps' 64-bit nanoseconds, counted without a trap
        #expect(await !harness.monitor.racyDirectories(in: listings, atLeast: 1))
    }

    @Test("A deep pass checks the directories it lists: only what changed there is handed over (a .top gone), an unchanged credential is left alone")
    func passHandlesCheckedListings() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) {
            $0.watchFiles = false
            $0.deepPassEvery = 1000
        }
        for user in ["alice", "bob", "carol"] { try harness.writeSeed(user, "svc") }
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            #expect(await harness.pass(after: 3, reaching: 2))  // lists every directory and takes their stamps
            // alice's directory changes (a file comes and goes) with her credential as it was; carol's .top goes.
            try harness.writeSeed("alice", "junk")
            try FileManager.default.removeItem(atPath: harness.path("alice/junk.top"))
            try FileManager.default.removeItem(atPath: harness.path("carol/svc.top"))
            harness.clock.advance(by: 5)
            await harness.monitor.requestReload()  // a deep pass: known credentials, so checked listings
            #expect(await harness.waitForPasses(3))
            #expect(await eventually(timeout: .seconds(20)) { await harness.record("carol", "svc") == nil })
            let third = try #require(harness.passSummaries.dropFirst(2).first)
            #expect(third.processed == 1, "only carol's credential: \(harness.passSummaries)")
            #expect(provider.calls("alice", "svc") == 1 && provider.calls("bob", "svc") == 1)
            #expect(await harness.record("alice", "svc")?.state == .valid)
        }
    }
}
