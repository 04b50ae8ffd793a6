import Foundation
import Testing
@testable import Engine

/// The watcher reads events that follow others in short windows (one read for many): none is lost or late for good.
@Suite("The watcher under a burst of writes")
struct WatcherBurstTests {
    @Test("Every write of a burst of 1,000 raises its event, and an event after a quiet spell arrives too",
          .timeLimit(.minutes(1)))
    func burstDelivered() async throws {
        let (root, watcher, handle) = try watchedUserDirectory("alice")
        defer { withExtendedLifetime(root) {} }
        defer { watcher.stop() }
        let count = 1000
        for index in 0..<count {
            try AtomicWriter.write(Array("x".utf8), to: "s\(index).top", in: handle, durability: .atomic)
        }
        var pending = Set((0..<count).map { "s\($0)" })
        var batches = 0
        var iterator = watcher.events.makeAsyncIterator()
        while !pending.isEmpty, let batch = await iterator.next() {
            batches += 1
            for case .credentialFile(user: "alice", let stem, file: .seed, removed: false) in batch { pending.remove(stem) }
        }
        #expect(pending.isEmpty)
        #expect(batches < count, "events came \(batches) batches for \(count) writes")
        // Quiet now: a single write later is delivered (read at once, not left in a window).
        try AtomicWriter.write(Array("x".utf8), to: "late.top", in: handle, durability: .atomic)
        let late = WatchEvent.credentialFile(user: "alice", stem: "late", file: .seed)
        var sawLate = false
        while !sawLate, let batch = await iterator.next() { sawLate = batch.contains(late) }
        #expect(sawLate)
    }

    @Test("Events of Credmon's own temporary files are passed over; a name that only contains the prefix is not",
          .timeLimit(.minutes(1)))
    func temporaryFilesPassedOver() async throws {
        let (root, watcher, handle) = try watchedUserDirectory("carol")
        defer { withExtendedLifetime(root) {} }
        defer { watcher.stop() }
        for index in 0..<50 { try AtomicWriter.write(Array("x".utf8), to: "s\(index).top", in: handle, durability: .atomic) }
        try root.write("carol/\(AtomicWriter.temporaryPrefix)stray.top", "x")  // a leftover's name, written in place
        try root.write("carol/x\(AtomicWriter.temporaryPrefix)top.top", "x")  // the prefix inside a name: a credential
        try AtomicWriter.write(Array("x".utf8), to: "last.top", in: handle, durability: .atomic)
        var stems: [String] = []
        var iterator = watcher.events.makeAsyncIterator()
        while !stems.contains("last"), let batch = await iterator.next() {
            for case .credentialFile(user: "carol", let stem, file: _, removed: _) in batch { stems.append(stem) }
        }
        #expect(!stems.contains { $0.hasPrefix(AtomicWriter.temporaryPrefix) }, "\(stems.filter { $0.hasPrefix(".") })")
        #expect(stems.contains("x\(AtomicWriter.temporaryPrefix)top"))
        #expect(Set(stems).isSuperset(of: (0..<50).map { "s\($0)" }))
        #expect(DirectoryWatcher.isTemporaryName(UnsafeRawBufferPointer(start: nil, count: 0)) == false)
    }

    @Test("Stopping the watcher while events keep coming ends its stream and its thread", .timeLimit(.minutes(1)))
    func stopDuringBurst() async throws {
        let (root, watcher, handle) = try watchedUserDirectory("bob")
        defer { withExtendedLifetime(root) {} }
        func write(_ count: Int) throws {
            for index in 0..<count { try AtomicWriter.write(Array("x".utf8), to: "w\(index).top", in: handle, durability: .atomic) }
        }
        try write(200)
        var iterator = watcher.events.makeAsyncIterator()
        _ = await iterator.next()
        #expect(watcher.isComplete)
        watcher.stop()
        // Events still come after the stop; the stream ends all the same (the time limit bounds the wait).
        try write(200)
        while await iterator.next() != nil {}
        await watcher.shutdown()
        #expect(!watcher.isComplete, "the reading thread has ended")
    }
}
