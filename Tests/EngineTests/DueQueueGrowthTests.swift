import Foundation
import Testing
@testable import Engine

@Suite("Due queue growth")
struct DueQueueGrowthTests {
    @Test("a due queue of thousands grows by a chunk, never by a copy, and still yields every entry in date order")
    func growsByAChunk() {
        var queue = DueQueue()
        queue.reserveCapacity(3_000)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var random = SystemRandomNumberGenerator()
        let chunk = Chunks<(date: Date, id: CredentialID)>.chunkSize
        let entries = 3 * chunk + 1
        for number in 0..<entries {
            queue.insert(CredentialID(user: "user\(number)", token: TokenName(service: "svc")),
                         at: start.addingTimeInterval(Double.random(in: 0..<1_000, using: &random)))
        }
        #expect(queue.count == entries)
        #expect(queue.capacity == 4 * chunk, "capacity \(queue.capacity) after \(entries)")
        let due = queue.popDue(now: start.addingTimeInterval(1_000))
        #expect(due.count == entries && zip(due, due.dropFirst()).allSatisfy { $0.date <= $1.date })
        #expect(queue.isEmpty && queue.capacity <= chunk, "the emptied chunks go")
    }
}
