import Foundation
import Glibc

/// Credmon's first pass run alone: `credmon run --once` (one full pass, then exit) on a fresh tree of N users.
/// Without strace it gives the daemon's CPU time (user + system, every thread, from wait4) and wall time from
/// spawn to exit; under strace, its system calls (see ``StraceBenchmark``).
enum OncePasses {
    struct Run {
        var wallMilliseconds: Double
        var cpuMilliseconds: Double
        var firstPassMilliseconds: Double?
    }

    static func run(binary: String, base: String, users: Int, label: String) throws -> Run {
        let root = try BenchTree.create(base: base, label: label, users: users)
        defer { BenchTree.remove(root) }
        let start = ContinuousClock.now
        let daemon = try SpawnedProcess.start(BenchTree.credmonCommand(binary: binary, root: root, extra: ["--once"]))
        let (status, cpu) = daemon.wait()
        let wall = milliseconds(ContinuousClock.now - start)
        guard status == 0 else {
            throw NSError(domain: "bench", code: Int(status), userInfo: [NSLocalizedDescriptionKey: "credmon run --once exited with status \(status)"])
        }
        let pass = logLines(root + "/credmon.log").first { $0.contains("First pass complete") }.flatMap { metadataValue($0, "credmon.duration_ms") }
        return Run(wallMilliseconds: wall, cpuMilliseconds: cpu, firstPassMilliseconds: pass)
    }

    /// System calls of `credmon run --once` on N users and on none; the empty run's counts are computed once per
    /// benchmark and passed in. strace's table is written in the run's tree and goes with it.
    static func strace(_ strace: String, binary: String, base: String, users: Int) throws -> [String: Int] {
        let root = try BenchTree.create(base: base, label: "strace-\(users)", users: users)
        defer { BenchTree.remove(root) }
        // Each tree starts without a signing key: both runs create one, and the subtraction cancels it.
        let counts = try StraceBenchmark.count(strace: strace, command: BenchTree.credmonCommand(binary: binary, root: root, extra: ["--once"]),
                                               output: root + "/strace.txt")
        let done = logLines(root + "/credmon.log").first { $0.contains("First pass complete") }
        guard done.flatMap({ metadataValue($0, "credmon.renewed") }) == Double(users) || users == 0 else {
            throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "strace run on \(users) users did not renew them all: \(done ?? "no first pass")"])
        }
        return counts
    }
}
