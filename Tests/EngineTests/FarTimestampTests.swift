import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// File times come from outside (a restored backup, a wrong clock, whoever owns the file): a time past 2262, whose
/// nanoseconds do not fit in 64 bits, or long before 1970 (ext4 clamps it to 1901), must not trap anywhere a file's
/// status is used.
@Suite("File times far from now")
struct FarTimestampTests {
    /// Sets a file's access and modification times to `seconds` since the epoch.
    private func setTimes(_ path: String, seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 5), timespec(tv_sec: seconds, tv_nsec: 5)]
        #expect(utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW) == 0, "utimensat: \(errno)")
    }

    static let years: [Int] = [
        32_503_680_000,      // 3000-01-01
        253_402_300_799,     // 9999-12-31
        -62_135_596_800,     // 0001-01-01
    ]

    @Test("a stamp of a file dated after 2262 is taken without a trap and still tells two such times apart",
          arguments: years.filter { $0 > 0 })
    func stampOfFarTime(seconds: Int) throws {
        let root = try TemporaryDirectory("engine-far-time")
        let file = try root.write("svc.top", "x")
        setTimes(file, seconds: seconds)
        let first = try #require(try FileStatus.of(path: file))
        setTimes(file, seconds: seconds + 1)
        let second = try #require(try FileStatus.of(path: file))
        // The file system may clamp the time (ext4 stops in 2446), but not back into 64-bit nanoseconds.
        #expect(abs(first.modified.seconds) > Int(Int64.max / 1_000_000_000), "the file's time: \(first.modified.seconds)")
        #expect(first.stamp != second.stamp)
    }

    @Test("the monitor renews credentials whose .top is dated in the year 9999 and in the year 1, then a deep pass looks again")
    func monitorHandlesFarTimes() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) { $0.watchFiles = false }
        try harness.writeSeed("alice", "svc")
        try harness.writeSeed("bob", "svc")
        setTimes(harness.path("alice/svc.top"), seconds: Self.years[1])
        setTimes(harness.path("bob/svc.top"), seconds: Self.years[2])
        try await harness.whileRunning {
            #expect(await harness.waitForRecord("alice", "svc") { $0.state == .valid })
            #expect(await harness.waitForRecord("bob", "svc") { $0.state == .valid })
            #expect(harness.exists("alice/svc.use") && harness.exists("bob/svc.use"))
            // Deep passes stat every file again and compare stamps: twice, the second with the directories' stamps.
            await harness.monitor.fullPass(deep: true)
            await harness.monitor.fullPass(deep: true)
            #expect(provider.calls("alice", "svc") == 1, "an unchanged .top, however dated, is not renewed again")
        }
    }
}
