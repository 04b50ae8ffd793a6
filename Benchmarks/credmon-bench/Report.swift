import Foundation
import Glibc

/// The figures of one run as JSON (--json): one object per user count under "runs", every time in ms, memory in
/// KiB; what the run was measured on at the top level. A figure that was not measured is absent (or null).
enum Report {
    static func summary(_ values: [Double]) -> [String: Any] {
        ["median": number(percentile(values, 50)), "p90": number(percentile(values, 90)), "max": number(values.max() ?? .nan),
         "n": values.count, "samples": values.map { number($0) }]
    }

    /// NaN and infinities are not JSON: null.
    static func number(_ value: Double) -> Any { value.isFinite ? (value * 100).rounded() / 100 : NSNull() }
    static func number(optional value: Double?) -> Any { value.map { number($0) } ?? NSNull() }

    static func startup(_ result: StartupBenchmark.Result?) -> Any {
        guard let result else { return NSNull() }
        return ["median_ms": number(result.medianMilliseconds), "samples_ms": result.samplesMilliseconds.map { number($0) },
                "empty_peak_rss_kib": result.emptyPeakRSSKiB, "empty_rss_kib": result.emptyRSSKiB] as [String: Any]
    }

    static func strace(_ result: StraceBenchmark.Result?) -> Any {
        guard let result else { return NSNull() }
        return ["total": number(result.total), "calls_with_users": result.callsWithUsers, "calls_empty": result.callsEmpty,
                "per_call": result.perCall.map { ["name": $0.name, "per_token": number($0.perToken)] as [String: Any] }] as [String: Any]
    }

    static func python(_ result: PythonCredmon.Result?, startup: StartupBenchmark.Result?) -> Any {
        guard let result else { return NSNull() }
        return ["first_pass_ms": number(result.firstPassMilliseconds), "first_pass_worker_ms": number(optional: result.firstPassScanMilliseconds),
                "first_pass_cpu_ms": number(result.firstPassCPUMilliseconds),
                "deep_pass_ms": summary(result.deepPassMilliseconds), "deep_pass_worker_ms": summary(result.deepPassScanMilliseconds),
                "peak_rss_kib": result.peakRSSKiB, "parent_peak_rss_kib": result.parentPeakRSSKiB, "worker_peak_rss_kib": result.workerPeakRSSKiB, "pss_kib": result.pssKiB,
                "use_files_written": result.usesWritten,
                "empty_rss_kib": startup.map { $0.emptyRSSKiB } ?? -1, "empty_peak_rss_kib": startup.map { $0.emptyPeakRSSKiB } ?? -1,
                "startup_ms": number(optional: startup?.medianMilliseconds)] as [String: Any]
    }

    struct UserRun {
        var users: Int
        var result: Result
        var once: OncePasses.Run?
        var emptyOnce: OncePasses.Run?
        var strace: StraceBenchmark.Result?
        var python: PythonCredmon.Result?
        var loadBefore: String
        var loadAfter: String
    }

    static func run(_ run: UserRun, startup: StartupBenchmark.Result?, pythonStartup: StartupBenchmark.Result?, fileSystem: String) -> [String: Any] {
        let result = run.result
        return [
            "users": run.users,
            "file_system": fileSystem,
            "load_before": run.loadBefore, "load_after": run.loadAfter,
            "first_pass_ms": number(result.firstPassMilliseconds),
            "first_pass_tokens_per_s": number(Double(run.users) / (result.firstPassMilliseconds / 1000)),
            "first_pass_cpu_ms": number(optional: run.once?.cpuMilliseconds),
            "first_pass_cpu_empty_ms": number(optional: run.emptyOnce?.cpuMilliseconds),
            "first_pass_cpu_ticks_ms": number(result.firstPassCPUMilliseconds),
            "once_wall_ms": number(optional: run.once?.wallMilliseconds),
            "once_first_pass_ms": number(optional: run.once?.firstPassMilliseconds),
            "deep_pass_ms": summary(result.deepPassMilliseconds),
            "shallow_pass_ms": summary(result.steadyPassMilliseconds),
            "shallow_pass_cpu_ms": number(result.steadyCPUPerPassMilliseconds),
            "post_burst_pass_ms": result.postBurstPassMilliseconds.map { number($0) },
            "latency_ms": ["p50": number(percentile(result.latencyMilliseconds, 50)), "p99": number(percentile(result.latencyMilliseconds, 99)),
                           "max": number(result.latencyMilliseconds.max() ?? .nan), "n": result.latencyMilliseconds.count] as [String: Any],
            "peak_rss_kib": result.peakRSSKiB, "anonymous_kib": result.anonymousKiB, "file_kib": result.fileKiB,
            "empty_rss_kib": startup.map { $0.emptyRSSKiB } ?? -1, "empty_peak_rss_kib": startup.map { $0.emptyPeakRSSKiB } ?? -1,
            "startup_ms": number(optional: startup?.medianMilliseconds),
            "syscalls_per_token": strace(run.strace),
            "python": python(run.python, startup: pythonStartup),
        ]
    }

    static func write(_ object: [String: Any], to path: String) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        if path == "-" {
            fflush(nil)
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            try (data + Data("\n".utf8)).write(to: URL(fileURLWithPath: path))
        }
    }
}
