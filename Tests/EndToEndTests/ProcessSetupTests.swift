import Foundation
import Glibc
import Testing

/// What the daemon does to its own process before its first thread starts.
@Suite("Process set-up of the daemon")
struct ProcessSetupTests {
    @Test("the daemon's descriptor table is grown at start for a first pass's rounds (FDSize), before any directory is opened")
    func descriptorTableGrownAtStart() throws {
        let daemon = try DaemonProcess(label: "fdsize", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.start()
        #expect(eventually(timeout: 10) { daemon.log.contains("First pass complete") }, "log:\n\(daemon.log)")
        var limit = rlimit()
        #expect(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0)
        // The daemon inherits this process's limit; with no credentials it opens a handful of descriptors, so a table
        // of 64 slots (the kernel's first) would hold them all.
        let expected = min(4096, Int(clamping: limit.rlim_cur))
        let status = try String(contentsOfFile: "/proc/\(daemon.pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("FDSize:") })
        let size = try #require(Int(line.dropFirst("FDSize:".count).trimmingCharacters(in: .whitespaces)))
        #expect(size >= expected, "FDSize \(size), expected at least \(expected)")
    }
}
