import Foundation
import Testing
@testable import Engine

@Suite("Due queue growth")
struct DueQueueGrowthTests {
    @Test("a full due queue of thousands grows by a quarter, not double, and still yields every entry in date order")
    func growsByAQuarter() {
        var queue = DueQueue()
        queue.reserveCapacity(2_000)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var random = SystemRandomNumberGenerator()
        let reserved = queue.capacity
        #expect(reserved >= 2_000)
        for number in 0...reserved {
            queue.insert(CredentialID(user: "user\(number)", token: TokenName(service: "svc")),
                         at: start.addingTimeInterval(Double.random(in: 0..<1_000, using: &random)))
        }
        #expect(queue.count == reserved + 1)
        #expect(queue.capacity > reserved && queue.capacity < reserved * 3 / 2, "capacity \(queue.capacity) after \(reserved)")
        let due = queue.popDue(now: start.addingTimeInterval(1_000))
        #expect(due.count == reserved + 1 && zip(due, due.dropFirst()).allSatisfy { $0.date <= $1.date })
    }
}
