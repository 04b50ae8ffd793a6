import Foundation
import Synchronization
import Testing
@testable import Engine

/// A sink that records each write it is asked for.
private final class RecordingSink: HeldLogLines.Sink, Sendable {
    let writes = Mutex<[[UInt8]]>([])
    func writeHeld(_ bytes: [UInt8]) { writes.withLock { $0.append(bytes) } }
    var texts: [String] { writes.withLock { $0.map { String(decoding: $0, as: UTF8.self) } } }
}

@Suite("Log lines held for a batch")
struct HeldLogLinesTests {
    private func line(_ text: String) -> [UInt8] { Array((text + "\n").utf8) }

    @Test("Lines of a batch are written together when it ends, in order; outside a batch nothing is held")
    func batchWritesOnce() {
        let sink = RecordingSink()
        #expect(HeldLogLines.hold(line("before"), for: sink) == false)
        let result = HeldLogLines.collecting { () -> Int in
            for index in 1...3 { #expect(HeldLogLines.hold(line("line \(index)"), for: sink)) }
            #expect(sink.texts.isEmpty, "nothing is written while the batch runs")
            return 7
        }
        #expect(result == 7)
        #expect(sink.texts == ["line 1\nline 2\nline 3\n"])
        #expect(HeldLogLines.hold(line("after"), for: sink) == false)
    }

    @Test("Each sink gets its own lines; a nested batch belongs to the outer one; a throwing body still writes")
    func sinksNestingAndThrows() {
        let first = RecordingSink(), second = RecordingSink()
        struct Failure: Error {}
        #expect(throws: Failure.self) {
            try HeldLogLines.collecting { () throws(Failure) in
                _ = HeldLogLines.hold(line("a"), for: first)
                _ = HeldLogLines.hold(line("b"), for: second)
                HeldLogLines.collecting { _ = HeldLogLines.hold(line("c"), for: first) }
                #expect(first.texts.isEmpty)
                throw Failure()
            }
        }
        #expect(first.texts == ["a\nc\n"])
        #expect(second.texts == ["b\n"])
    }

    @Test("Another thread's lines are not held by this thread's batch")
    func otherThreadsWriteAtOnce() {
        let sink = RecordingSink()
        HeldLogLines.collecting {
            let other = DispatchSemaphore(value: 0)
            let heldElsewhere = Mutex(true)
            Thread.detachNewThread {
                heldElsewhere.withLock { $0 = HeldLogLines.hold([0x41, 0x0A], for: sink) }
                other.signal()
            }
            #expect(other.wait(timeout: .now() + 10) == .success)
            #expect(heldElsewhere.withLock { $0 } == false)
        }
    }

    @Test("A batch holding more than the limit writes what it held before taking more")
    func limitFlushes() {
        let sink = RecordingSink()
        let big = [UInt8](repeating: 0x78, count: HeldLogLines.limit / 3) + [0x0A]
        HeldLogLines.collecting {
            for _ in 0..<3 { _ = HeldLogLines.hold(big, for: sink) }
            #expect(sink.writes.withLock { $0.count } == 1, "the third line would pass the limit: the first two went out")
        }
        #expect(sink.writes.withLock { $0.map(\.count) } == [2 * big.count, big.count])
    }
}
