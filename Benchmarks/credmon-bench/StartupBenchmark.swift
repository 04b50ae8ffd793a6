import Foundation
import Glibc

/// Start-up on an empty credential directory: from the spawn to `<cred-dir>/CREDMON_COMPLETE` appearing (inotify
/// on the benchmark side), several samples after one unmeasured warm-up start (which creates the signing key);
/// then, in the last sample, the memory of the daemon that has no credentials at all (1 s after its first pass).
enum StartupBenchmark {
    struct Result: Codable {
        var samplesMilliseconds: [Double]
        var medianMilliseconds: Double
        /// VmHWM and VmRSS with no credentials (KiB; the Python credmon's parent and worker added up).
        var emptyPeakRSSKiB: Int
        var emptyRSSKiB: Int
    }

    /// `launch(root)` starts the daemon on `<root>/cred`; `processes(daemon)` lists the pids whose memory counts.
    static func run(root: String, samples: Int, timeout: Duration = .seconds(60),
                    launch: (String) throws -> SpawnedProcess, processes: (SpawnedProcess) -> [pid_t]) throws -> Result {
        let credentials = root + "/cred"
        var times: [Double] = []
        var peak = -1, rss = -1
        for sample in 0...samples {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: credentials)) ?? [] {
                try? FileManager.default.removeItem(atPath: credentials + "/" + entry)
            }
            let watch = try MarkerWatch(directory: credentials)
            let start = ContinuousClock.now
            let daemon = try launch(root)
            guard let appeared = watch.wait(for: MarkerEvent.appeared, timeout: timeout) else {
                daemon.stop()
                throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "no CREDMON_COMPLETE in \(timeout) on an empty directory (\(root))"])
            }
            if sample > 0 { times.append(milliseconds(appeared - start)) }
            if sample == samples {
                usleep(1_000_000)
                let pids = processes(daemon)
                peak = pids.map { memory(pid: $0, "VmHWM") }.reduce(0, +)
                rss = pids.map { memory(pid: $0, "VmRSS") }.reduce(0, +)
            }
            daemon.stop()
        }
        return Result(samplesMilliseconds: times, medianMilliseconds: percentile(times, 50), emptyPeakRSSKiB: peak, emptyRSSKiB: rss)
    }
}
