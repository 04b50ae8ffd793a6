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

    @Test("A finished job lets go of what it captured while later jobs still wait in the queue")
    func finishedJobReleasesItsCaptures() async throws {
        final class Payload: Sendable {}
        let io = BlockingIO(threads: 1)
        defer { io.shutdown() }
        let holdFirst = DispatchSemaphore(value: 0), holdThird = DispatchSemaphore(value: 0)
        let firstRunning = Mutex(false)
        // The one thread waits in the first job while three more are queued behind it, in order.
        // The first job says when it holds the thread: an empty queue alone does not show that
        // its task has submitted it yet.
        let first = Task {
            try await io.run {
                firstRunning.withLock { $0 = true }
                _ = holdFirst.wait(timeout: .now() + 20)
            }
        }
        try #require(await eventually(timeout: .seconds(10)) { firstRunning.withLock { $0 } })
        #expect(io.waitingJobs == 0)
        weak var captured: Payload?
        let second: Task<Void, any Error>
        do {
            let payload = Payload()
            captured = payload
            second = Task { try await io.run { withExtendedLifetime(payload) {} } }
        }
        #expect(await eventually(timeout: .seconds(10)) { io.waitingJobs == 1 })
        let third = Task { try await io.run { _ = holdThird.wait(timeout: .now() + 20) } }
        #expect(await eventually(timeout: .seconds(10)) { io.waitingJobs == 2 })
        let fourth = Task { try await io.run { 4 } }
        #expect(await eventually(timeout: .seconds(10)) { io.waitingJobs == 3 })
        holdFirst.signal()
        try await second.value
        // The thread is in the third job now, the fourth still queued: the queue has not drained.
        #expect(await eventually(timeout: .seconds(10)) { io.waitingJobs == 1 })
        #expect(await eventually(timeout: .seconds(10)) { captured == nil }, "the finished job's captures outlive it")
        holdThird.signal()
        _ = try await (first.value, third.value, fourth.value)
    }
}
