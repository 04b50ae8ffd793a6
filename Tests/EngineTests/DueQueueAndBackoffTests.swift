import Foundation
import Testing
@testable import Engine

@Suite("Due queue and backoff")
struct DueQueueAndBackoffTests {
    private func id(_ user: String) -> CredentialID { CredentialID(user: user, token: TokenName(service: "svc")) }
    private func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }

    @Test("popDue returns what is due, earliest first, and keeps the rest")
    func popDue() {
        var queue = DueQueue()
        #expect(queue.isEmpty)
        #expect(queue.earliest == nil)
        queue.insert(id("c"), at: at(30))
        queue.insert(id("a"), at: at(10))
        queue.insert(id("d"), at: at(40))
        queue.insert(id("b"), at: at(20))
        #expect(queue.count == 4)
        #expect(queue.earliest == at(10))

        #expect(queue.popDue(now: at(5)).isEmpty)
        let due = queue.popDue(now: at(20))
        #expect(due.map(\.id.user) == ["a", "b"], "inclusive of now, in date order")
        #expect(due.map(\.date) == [at(10), at(20)])
        #expect(queue.count == 2)
        #expect(queue.earliest == at(30))
        #expect(queue.popDue(now: .distantFuture).map(\.id.user) == ["c", "d"])
        #expect(queue.isEmpty)
    }

    @Test("Stale duplicates stay in the queue; the owner sorts them out")
    func duplicates() {
        var queue = DueQueue()
        queue.insert(id("a"), at: at(50))
        queue.insert(id("a"), at: at(10))
        #expect(queue.count == 2)
        #expect(queue.popDue(now: at(10)).map(\.date) == [at(10)])
        #expect(queue.popDue(now: at(100)).map(\.date) == [at(50)])
    }

    @Test("Many random dates come out sorted")
    func heapOrder() {
        var generator = SystemRandomNumberGenerator()
        var queue = DueQueue()
        var dates: [Date] = []
        for index in 0..<500 {
            let date = at(Double(generator.next(upperBound: 10_000 as UInt64)))
            dates.append(date)
            queue.insert(id("u\(index)"), at: date)
        }
        let half = queue.popDue(now: at(5_000))
        #expect(half.map(\.date) == dates.filter { $0 <= at(5_000) }.sorted())
        let rest = queue.popDue(now: .distantFuture)
        #expect(rest.map(\.date) == dates.filter { $0 > at(5_000) }.sorted())
        #expect(queue.isEmpty)
    }

    @Test("Without jitter the delay doubles from the initial value")
    func grows() {
        let backoff = Backoff(initial: 5, maximum: 600, jitter: 0)
        #expect(backoff.delay(afterFailures: 1) == 5)
        #expect(backoff.delay(afterFailures: 2) == 10)
        #expect(backoff.delay(afterFailures: 3) == 20)
        #expect(backoff.delay(afterFailures: 4) == 40)
        #expect(backoff.delay(afterFailures: 0) == 5, "no failure yet: the initial delay")
    }

    @Test("The delay is capped at the maximum, even after very many failures")
    func capped() {
        let backoff = Backoff(initial: 5, maximum: 600, jitter: 0)
        #expect(backoff.delay(afterFailures: 8) == 600)
        #expect(backoff.delay(afterFailures: 1_000) == 600)
        #expect(backoff.delay(afterFailures: .max) == 600)
    }

    @Test("A longer Retry-After is honoured up to the maximum; a shorter one does not shorten the delay")
    func retryAfter() {
        let backoff = Backoff(initial: 5, maximum: 600, jitter: 0)
        #expect(backoff.delay(afterFailures: 1, retryAfter: 120) == 120)
        #expect(backoff.delay(afterFailures: 3, retryAfter: 1) == 20)
        #expect(backoff.delay(afterFailures: 1, retryAfter: 3600) == 600, "clamped to the backoff maximum")
        #expect(backoff.delay(afterFailures: 1, retryAfter: .infinity) == 600)
        #expect(backoff.delay(afterFailures: 1, retryAfter: .nan) == 600)
        #expect(backoff.delay(afterFailures: 1, retryAfter: -50) == 5)
    }

    @Test("Jitter stays within its fraction and varies")
    func jitter() {
        let backoff = Backoff(initial: 100, maximum: 1000, jitter: 0.2)
        let delays = (0..<200).map { _ in backoff.delay(afterFailures: 1) }
        #expect(delays.allSatisfy { (80...120).contains($0) }, "\(delays.min()!)...\(delays.max()!)")
        #expect(Set(delays).count > 1)
    }

    @Test("The delay never drops below a second (the renewal floor)")
    func floor() {
        let backoff = Backoff(initial: 0, maximum: 0, jitter: 0)
        #expect(backoff.delay(afterFailures: 3) == 1)
        #expect(backoff.delay(afterFailures: 3, retryAfter: 0) == 1)
    }
}
