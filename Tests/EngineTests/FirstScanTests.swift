import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// A first scan lists every user directory without taking stamps and may hand the open directories over with the
/// credentials found there (so that their workers do not open them again).
@Suite("First scans: no stamps, open directories handed over")
struct FirstScanTests {
    private func tree(users: Int) throws -> TemporaryDirectory {
        let root = try userTree(users: users, label: "engine-first-scan")
        // One user with two credentials: both share the directory's handle.
        try root.write("u0/other.top", "x")
        return root
    }

    @Test("a first scan lists every directory, takes no stamps and hands over at most the limit")
    func handsOverUpToLimit() async throws {
        let root = try tree(users: 5)
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (first, listings) = try await scanner.scan(parallelism: 1, stampDirectories: false, handOverLimit: 3)
        #expect(first.listed.count == 5)
        #expect(first.credentials.count == 6)
        #expect(listings.isEmpty, "a first scan takes no stamps")
        let handed = first.credentials.filter { $0.directory != nil }
        #expect(Set(handed.map(\.id.user)).count == 3)
        for snapshot in handed {
            let handle = try #require(snapshot.directory)
            #expect(handle.path == root.file(snapshot.id.user))
            // The descriptor is the user's directory itself.
            var opened = stat(), named = stat()
            #expect(fstat(handle.descriptor, &opened) == 0 && lstat(root.file(snapshot.id.user), &named) == 0)
            #expect(opened.st_ino == named.st_ino)
        }
        let sharing = first.credentials.filter { $0.id.user == "u0" }.compactMap(\.directory)
        #expect(sharing.isEmpty || (sharing.count == 2 && sharing[0] === sharing[1]))
    }

    @Test("without a limit nothing is handed over; a stamped scan after a first lists again and takes every stamp")
    func nextScanTakesStamps() async throws {
        let root = try tree(users: 4)
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (first, none) = try await scanner.scan(stampDirectories: false)
        #expect(first.credentials.allSatisfy { $0.directory == nil })
        let later = Date(timeIntervalSinceNow: 10)
        let (second, listings) = try await scanner.scan(previous: none, now: later, deep: false)
        #expect(second.listed.count == 4)
        #expect(listings.count == 4)
        #expect(second.credentials.allSatisfy { $0.directory == nil }, "only asked for: the default limit is none")
        let (third, _) = try await scanner.scan(previous: listings, now: later, deep: false)
        #expect(third.listed.isEmpty)
    }

    @Test("handed-over directories close when the credentials holding them go")
    func closedWithSnapshots() async throws {
        let root = try tree(users: 3)
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        var descriptors: [Int32] = []
        do {
            let (first, _) = try await scanner.scan(stampDirectories: false, handOverLimit: 100)
            descriptors = Array(Set(first.credentials.compactMap { $0.directory?.descriptor }))
            #expect(descriptors.count == 3)
            for fd in descriptors { #expect(fcntl(fd, F_GETFD) >= 0) }
        }
        // Each descriptor number no longer names the directory it did (closed; or reused by another test's file).
        for fd in descriptors {
            #expect(!(0..<3).contains { descriptor(fd, isOpenOn: root.file("u\($0)")) }, "descriptor \(fd)")
        }
    }
}
