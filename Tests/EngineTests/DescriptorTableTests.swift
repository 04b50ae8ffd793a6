import Testing
@testable import Engine
import Glibc

@Suite("The descriptor table grown at start")
struct DescriptorTableTests {
    @Test("grow(toHold:) leaves the table (FDSize) at least that large, opens nothing, and stops at the soft limit")
    func growsAndClamps() throws {
        let soft = try softLimit()
        let wanted = min(soft, 2048)
        let grown = try #require(DescriptorTable.grow(toHold: wanted))
        #expect(grown == wanted)
        #expect(try tableSize() >= wanted)
        // The copy made to grow it is closed again.
        #expect(fcntl(Int32(grown - 1), F_GETFD) == -1 && errno == EBADF)
        // Asked for more than the soft limit allows: the highest descriptor the limit leaves.
        if soft <= 65_536 {
            #expect(DescriptorTable.grow(toHold: soft + 100) == soft)
        }
    }

    private func softLimit() throws -> Int {
        var limit = rlimit()
        #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0)
        return Int(clamping: limit.rlim_cur)
    }

    /// `FDSize:` of `/proc/self/status`: the number of slots the table has.
    private func tableSize() throws -> Int {
        let status = try #require(try SafeFile.read(path: "/proc/self/status", limit: 64 * 1024))
        let text = String(decoding: status.bytes, as: UTF8.self)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("FDSize:") })
        let digits: String = line.dropFirst("FDSize:".count).filter { (character: Character) -> Bool in character.isNumber }
        return try #require(Int(digits))
    }
}
