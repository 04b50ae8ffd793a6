import Foundation
import Glibc

/// HTCondor's Python credmon (local issuer mode) on the same files: Benchmarks/python-credmon/credmon_driver.py
/// (the daemon's skeleton around upstream's `credmon` package; setup in Benchmarks/python-credmon/run.sh), started
/// as condor_master would, with CONDOR_CONFIG pointing at a config file written here. Its figures:
/// - first pass: spawn to `CREDMON_COMPLETE` appearing (Python's start-up included), and the worker's own timing
///   of the pass (the counterpart of Credmon's logged duration);
/// - deep pass: SIGHUP to `CREDMON_COMPLETE` touched again (it rescans everything on SIGHUP; nothing is due), and
///   the worker's timing;
/// - peak RSS: VmHWM of the parent plus the worker (forked), at the end (and their PSS, shared pages once);
/// - CPU of the first pass: the worker's and the parent's utime + stime (clock ticks) when the marker appears.
enum PythonCredmon {
    struct Result: Codable {
        var firstPassMilliseconds: Double
        var firstPassScanMilliseconds: Double?
        var firstPassCPUMilliseconds: Double
        var deepPassMilliseconds: [Double]
        var deepPassScanMilliseconds: [Double]
        var peakRSSKiB: Int
        var parentPeakRSSKiB: Int
        var workerPeakRSSKiB: Int
        /// PSS of the parent and the worker at the end, added up (their shared pages counted once).
        var pssKiB: Int
        var usesWritten: Int
    }

    /// The driver next to this source file (the bench is built and run from its checkout), or --python-driver.
    nonisolated(unsafe) static var driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python-credmon/credmon_driver.py").path
    nonisolated(unsafe) static var python = "python3"

    /// The knobs the credmon reads (LOG, the credential directory, the local issuer: same issuer, audience and
    /// lifetime as Credmon's fragment, ES256 key created by the credmon at its first start).
    static func writeConfig(root: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/log", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/keys", withIntermediateDirectories: true)
        try """
        LOG = \(root)/log
        SEC_CREDENTIAL_DIRECTORY_OAUTH = \(root)/cred
        LOCAL_CREDMON_PROVIDER_NAMES = scitokens
        LOCAL_CREDMON_PRIVATE_KEY = \(root)/keys/scitokens-private.pem
        LOCAL_CREDMON_PUBLIC_KEY = \(root)/keys/scitokens.pem
        LOCAL_CREDMON_KEY_ID = local
        LOCAL_CREDMON_ISSUER = https://bench.example.org
        LOCAL_CREDMON_TOKEN_AUDIENCE = https://storage.example.org
        LOCAL_CREDMON_TOKEN_LIFETIME = 1200

        """.write(toFile: root + "/condor_config", atomically: true, encoding: .utf8)
    }

    static func start(root: String) throws -> SpawnedProcess {
        try SpawnedProcess.start([python, driver, "-c", root + "/cred", "-l", root + "/log/CredMonOAuthLog"],
                                 environment: ["CONDOR_CONFIG": root + "/condor_config", "CREDMON_BENCH_PASS_LOG": root + "/passes"],
                                 output: root + "/stdout")
    }

    /// The parent and its worker.
    static func processes(_ daemon: SpawnedProcess) -> [pid_t] { [daemon.pid] + daemon.children() }

    /// The worker's logged pass durations, in order.
    static func passes(root: String) -> [Double] {
        logLines(root + "/passes").compactMap { metadataValue($0, "ms") }
    }

    static func run(users: Int, base: String, sighups: Int) throws -> Result {
        let root = try BenchTree.create(base: base, label: "python-\(users)", users: users)
        defer { BenchTree.remove(root) }
        try writeConfig(root: root)
        let watch = try MarkerWatch(directory: root + "/cred")
        let began = ContinuousClock.now
        let daemon = try Self.start(root: root)
        defer { daemon.stop() }
        guard let appeared = watch.wait(for: MarkerEvent.appeared, timeout: .seconds(600)) else {
            throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "Python credmon: no CREDMON_COMPLETE in 600 s; see \(root)/stdout and log/"])
        }
        let firstPass = milliseconds(appeared - began)
        let cpu = processes(daemon).map { DaemonProbes.cpuTicksMilliseconds(pid: $0) }.reduce(0, +)
        let written = ((try? FileManager.default.contentsOfDirectory(atPath: root + "/cred")) ?? [])
            .filter { access(root + "/cred/\($0)/scitokens.use", F_OK) == 0 }.count
        var deep: [Double] = []
        for _ in 0..<sighups {
            usleep(500_000)
            watch.drain()
            let sent = ContinuousClock.now
            kill(daemon.pid, SIGHUP)
            guard let touched = watch.wait(for: MarkerEvent.touched, timeout: .seconds(600)) else { break }
            deep.append(milliseconds(touched - sent))
        }
        usleep(200_000)
        let pids = processes(daemon)
        let peaks = pids.map { memory(pid: $0, "VmHWM") }
        let pss = pids.map { proportionalSetKiB(pid: $0) }.reduce(0, +)
        let scans = passes(root: root)
        return Result(firstPassMilliseconds: firstPass, firstPassScanMilliseconds: scans.first, firstPassCPUMilliseconds: cpu,
                      deepPassMilliseconds: deep, deepPassScanMilliseconds: Array(scans.dropFirst()),
                      peakRSSKiB: peaks.reduce(0, +), parentPeakRSSKiB: peaks.first ?? -1, workerPeakRSSKiB: peaks.dropFirst().reduce(0, +), pssKiB: pss,
                      usesWritten: written)
    }

    static func startup(base: String, samples: Int) throws -> StartupBenchmark.Result {
        let root = try BenchTree.create(base: base, label: "python-empty", users: 0)
        defer { BenchTree.remove(root) }
        try writeConfig(root: root)
        return try StartupBenchmark.run(root: root, samples: samples, launch: { try Self.start(root: $0) }, processes: processes)
    }
}
