import CredmonTestKit
import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

@Suite("The directory watcher's descriptors")
struct DirectoryWatcherDescriptorTests {
    @Test("The watcher's wake-up pipe is close-on-exec: a command the daemon spawns does not inherit it")
    func wakePipeClosedOnExec() throws {
        let root = try TemporaryDirectory("engine-watcher-fds")
        let watcher = try DirectoryWatcher(root: root.path)
        #expect(watcher.wakePipe.count == 2)
        for fd in watcher.wakePipe {
            #expect(fd >= 0)
            #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0, "descriptor \(fd)")
        }
    }
}
