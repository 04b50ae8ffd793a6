import Foundation
import Testing
@testable import Engine

/// What a watcher sees of an atomic write: the monitor stats the file for every event naming a `.use`, so a write
/// raises one such event, not two.
@Suite("The inotify events of an atomic write")
struct AtomicWriterEventTests {
    @Test("A write raises one event naming the target, for both durabilities", arguments: [Durability.durable, .atomic])
    func oneEventPerWrite(durability: Durability) async throws {
        let (root, watcher, handle) = try watchedUserDirectory("alice")
        defer { withExtendedLifetime(root) {} }
        defer { watcher.stop() }
        try AtomicWriter.write(Array("token".utf8), to: "svc.use", in: handle, durability: durability)
        // Events come in order: once the sentinel's is in, every event of the write is too.
        try AtomicWriter.write(Array("x".utf8), to: "sentinel.top", in: handle, durability: .atomic)
        var seen: [WatchEvent] = []
        let sentinel = WatchEvent.credentialFile(user: "alice", stem: "sentinel", file: .seed)
        for await batch in watcher.events {
            seen += batch
            if seen.contains(sentinel) { break }
        }
        let target = seen.filter { $0 == .credentialFile(user: "alice", stem: "svc", file: .access) }
        #expect(target.count == 1, "events: \(seen)")
    }
}
