import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// The scan's tasks watch user directories in groups before they look at them, and grow the descriptor table once
/// for the directories a first scan hands over.
@Suite("Scans that watch as they go")
struct ScanWatchTests {
    @Test("every user directory is watched by the scan (in groups), none twice; a later scan watches only new ones")
    func watchesEveryUser() async throws {
        let users = 2 * DirectoryScanner.watchGroup + 5
        let root = try userTree(users: users, label: "engine-scan-watch")
        let watcher = try DirectoryWatcher(root: root.path)
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (first, listings) = try await scanner.scan(parallelism: 2, stampDirectories: false, watcher: watcher)
        #expect(first.watched.count == users)
        #expect(Set(first.watched).count == users)
        #expect((0..<users).allSatisfy { watcher.isWatching("u\($0)") })
        try root.makeDirectory("late")
        let (second, _) = try await scanner.scan(previous: listings, deep: false, watcher: watcher)
        #expect(second.watched == ["late"])
    }

    @Test("reserving descriptors touches no open descriptor and leaves none open")
    func reserveTouchesNothing() throws {
        let root = try TemporaryDirectory("engine-reserve")
        let file = try root.write("marker", "x")
        let handle = try DirectoryHandle.open(path: root.path)
        // An open descriptor exactly where the reservation aims: it must stay the marker file.
        let aimed = Int32(Int(handle.descriptor) + 5000 + 64)
        let opened = open(file, O_RDONLY | O_CLOEXEC)
        #expect(opened >= 0)
        defer { close(opened) }
        let placed = fcntl(opened, F_DUPFD_CLOEXEC, aimed)
        #expect(placed == aimed, "the test needs descriptor \(aimed) free")
        defer { close(placed) }
        var before = stat()
        #expect(fstat(placed, &before) == 0)
        DirectoryHandle.reserveDescriptors(5000, near: handle.descriptor)
        var after = stat()
        #expect(fstat(placed, &after) == 0 && after.st_ino == before.st_ino)
        // The reservation took the next free descriptor above and closed it again.
        #expect(fcntl(aimed + 1, F_GETFD) == -1 && errno == EBADF)
    }
}
