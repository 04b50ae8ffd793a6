import Foundation
import Testing
@testable import Engine

@Suite("The random pool for published identifiers")
struct RandomPoolTests {
    static func draw(_ pool: RandomPool, _ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { pool.fill($0) }
        return bytes
    }

    @Test("Draws across many refills are all different and use every byte value")
    func drawsDiffer() {
        let pool = RandomPool(capacity: 40)  // not a multiple of the draw: a refill leaves the pool's tail unused
        var seen = Set<[UInt8]>()
        var values = Set<UInt8>()
        for _ in 0..<2000 {
            let bytes = Self.draw(pool, 16)
            seen.insert(bytes)
            values.formUnion(bytes)
        }
        #expect(seen.count == 2000)
        #expect(values.count == 256)
    }

    @Test("Threads drawing at once get different bytes")
    func concurrentDraws() async {
        let pool = RandomPool(capacity: 64)
        let draws = await withTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<4 { group.addTask { (0..<500).map { _ in Self.draw(pool, 16) } } }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(draws.count == 2000)
        #expect(Set(draws).count == 2000)
    }

    @Test("A draw of the whole pool, and an empty one")
    func edges() {
        let pool = RandomPool(capacity: 32)
        let whole = Self.draw(pool, 32), again = Self.draw(pool, 32)
        #expect(whole != again)
        #expect(Self.draw(pool, 0).isEmpty)
    }
}
