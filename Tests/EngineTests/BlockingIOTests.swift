import Foundation
import Synchronization
import Testing
@testable import Engine

@Suite("The blocking-I/O pool")
struct BlockingIOTests {
    @Test("Jobs queued back to back while one thread idles each get a thread: none waits behind a job that blocks", arguments: 0..<20)
    func noJobWaitsBehindABlockedOne(round: Int) async throws {
        let io = BlockingIO(threads: 8)
        defer { io.shutdown() }
        // One thread exists and goes idle.
        _ = try await io.run { 1 }
        let release = DispatchSemaphore(value: 0)
        let done = Mutex(false)
        // Two jobs submitted at once: the first blocks its thread until released.
        let blocked = Task { try await io.run { _ = release.wait(timeout: .now() + 20) } }
        let quick = Task { try await io.run { done.withLock { $0 = true } } }
        let finished = await eventually(timeout: .seconds(10)) { done.withLock { $0 } }
        release.signal()
        _ = try await (blocked.value, quick.value)
        #expect(finished, "the second job ran while the first was blocked (round \(round))")
    }
}
