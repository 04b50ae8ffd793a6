import CredmonTestKit
import Foundation
import Testing

/// The tests' own command runner (posix_spawn instead of Foundation's Process).
@Suite("SpawnedCommand: the tests' command runner")
struct SpawnedCommandTests {
    @Test("Input larger than a pipe's buffer goes through cat and comes back whole; stderr apart; the directory is honoured")
    func roundTrip() throws {
        let input = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let echoed = try SpawnedCommand.run(["cat"], input: input)
        #expect(echoed.status == 0 && echoed.stdout == input && echoed.stderr.isEmpty)
        let split = try SpawnedCommand.run(["sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(split.status == 3)
        #expect(String(decoding: split.stdout, as: UTF8.self) == "out\n" && String(decoding: split.stderr, as: UTF8.self) == "err\n")
        let directory = try SpawnedCommand.run(["pwd"], in: "/tmp")
        #expect(String(decoding: directory.stdout, as: UTF8.self) == "/tmp\n")
    }

    @Test("A child that closes its input unread does not take the test process down with SIGPIPE")
    func childIgnoresInput() throws {
        let result = try SpawnedCommand.run(["sh", "-c", "exec 0<&-; exit 0"], input: Data(count: 4 << 20))
        #expect(result.status == 0)
    }

    @Test("A child past its deadline is killed and reported")
    func deadline() {
        let started = ContinuousClock.now
        #expect(throws: SpawnedCommand.Failure.self) { try SpawnedCommand.run(["sleep", "30"], timeout: 0.3) }
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
