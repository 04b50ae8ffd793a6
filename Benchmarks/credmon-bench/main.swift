// credmon-bench: measures the real `credmon` daemon on a synthetic credential directory.
//
//   swift build -c release && .build/release/credmon-bench [--users 1000,10000] [--samples 200] [--steady SECONDS]
//       [--metrics] [--binary PATH] [--dir BASE]
//
// For each user count N it writes N `<user>/scitokens.top` files as condor_credd does, starts `credmon run`, and
// reports: the first pass (duration, tokens/s, as the daemon logs it), steady passes with nothing due (the daemon's
// own pass timings, scan interval 1 s, over a window of --steady seconds, default 4, that opens at the first pass
// that lists no directory again; median, p90, and the daemon's CPU time per pass in that window, which also counts
// the work after the logged duration: health, metrics, the textfile), the latency from a new `.top` to its `.use`
// without SIGHUP (inotify on the benchmark side, p50/p99), and the daemon's peak RSS (VmHWM).
// --metrics runs the daemon with `--metrics-textfile <run dir>/credmon.prom --metrics-listen 127.0.0.1:<free port>`
// (metrics are off without it, as by default) and scrapes /metrics once in the middle of the steady window.
//
// The lines under each row add (issue "How it is shown"): deep passes after SIGHUP with nothing due (--sighups,
// default 3; the daemon's timing); the first pass run alone, `credmon run --once` on a fresh tree, with its CPU
// time (user + system from wait4; and the same on an empty directory); system calls per token of that first pass
// (`strace -c -f`, minus an empty directory's run, divided by N; on when strace is installed, --no-strace skips
// it); with --python, HTCondor's Python credmon on the same files (PythonCredmon.swift,
// Benchmarks/python-credmon/run.sh for its setup). Before the rows: start-up to the first CREDMON_COMPLETE on an
// empty directory (--startup-samples, default 11, median) and the RSS with no credentials; with --python the same
// for the Python credmon (--python-startup-samples, default 3). /proc/loadavg is printed before each row.
// --json PATH writes every figure as JSON as well ("-": to standard output after the table; see Report.swift).
import Engine
import Foundation
import Glibc

if CommandLine.arguments.count >= 3 && CommandLine.arguments[1] == "--oauth" {
    let options = Options(arguments: [CommandLine.arguments[0]] + CommandLine.arguments.dropFirst(3))
    try OAuthRefreshBenchmark.run(count: Int(CommandLine.arguments[2]) ?? 1000, binary: options.binary, baseDirectory: options.baseDirectory)
    exit(0)
}
if CommandLine.arguments.count == 2 && CommandLine.arguments[1] == "--parts" {
    try await PartsBenchmark.run()
    exit(0)
}
if CommandLine.arguments.count == 3 && CommandLine.arguments[1] == "--scan-only" {
    let root = CommandLine.arguments[2]
    let scanner = DirectoryScanner(root: root, allowSpecialCharacters: false)
    var problems: [ScanProblem] = []
    var clockStart = ContinuousClock.now
    let users = try scanner.users(problems: &problems)
    print("root listing: \(users.count) users in \(ContinuousClock.now - clockStart)")
    clockStart = ContinuousClock.now
    var st = stat()
    let rootFD = open(root, O_RDONLY | O_DIRECTORY)
    for user in users { fstatat(rootFD, user, &st, AT_SYMLINK_NOFOLLOW) }
    print("user stats: \(ContinuousClock.now - clockStart)")
    var listings = DirectoryScanner.Listings()
    for _ in 0..<5 {
        let start = ContinuousClock.now
        let (result, next) = try await scanner.scan(parallelism: 2, previous: listings, now: Date().addingTimeInterval(10), deep: listings.isEmpty)
        listings = next
        print("scan: \(result.credentials.count) credentials (\(result.listedUsers) listed) in \(ContinuousClock.now - start)")
    }
    exit(0)
}
let options = Options(arguments: CommandLine.arguments)
let baseFileSystem = Machine.fileSystem(of: options.baseDirectory)
let started = Date()
print("credmon-bench: \(Machine.cores) cores (\(Machine.cpu)), binary \(options.binary)" + (options.binaryCommit.map { " (built from \($0))" } ?? ""))
print("directory \(options.baseDirectory) on \(baseFileSystem); metrics \(options.metrics ? "on (--metrics-textfile, --metrics-listen 127.0.0.1)" : "off"); steady window \(options.steadySeconds) s")
print("date \(ISO8601DateFormatter().string(from: started)); load average \(Machine.loadAverage())" + (options.note.map { "; note: \($0)" } ?? ""))

/// Output written so far reaches a file or a pipe now (a run takes minutes; --json - follows the table).
func flushOutput() { fflush(nil) }
flushOutput()

func attempt<T>(_ what: String, _ body: () throws -> T) -> T? {
    do { return try body() } catch {
        print("  \(what): failed: \(error)")
        return nil
    }
}
func listMs(_ values: [Double]) -> String { values.map { String(format: "%.1f", $0) }.joined(separator: ", ") + " ms" }

// Start-up on an empty directory and the RSS with no credentials (scan interval 60 s: nothing but the first pass).
let startup = attempt("start-up") { () throws -> StartupBenchmark.Result in
    let root = try BenchTree.create(base: options.baseDirectory, label: "empty", users: 0)
    defer { BenchTree.remove(root) }
    return try StartupBenchmark.run(root: root, samples: options.startupSamples,
                                    launch: { try SpawnedProcess.start(BenchTree.credmonCommand(binary: options.binary, root: $0, extra: ["--scan-interval", "60"])) },
                                    processes: { [$0.pid] })
}
if let startup {
    print(String(format: "start-up to the first CREDMON_COMPLETE on an empty directory: median %.2f ms (n=%d: %@); RSS with no credentials: %.1f MiB (VmRSS), peak %.1f MiB (VmHWM)",
                 startup.medianMilliseconds, startup.samplesMilliseconds.count, listMs(startup.samplesMilliseconds),
                 Double(startup.emptyRSSKiB) / 1024, Double(startup.emptyPeakRSSKiB) / 1024))
}
let pythonStartup: StartupBenchmark.Result? = options.python
    ? attempt("Python credmon start-up", { try PythonCredmon.startup(base: options.baseDirectory, samples: options.pythonStartupSamples) }) : nil
if let pythonStartup {
    print(String(format: "Python credmon: start-up to the first CREDMON_COMPLETE on an empty directory: median %.0f ms (n=%d: %@); RSS with no credentials: %.1f MiB (VmRSS, parent + worker), peak %.1f MiB",
                 pythonStartup.medianMilliseconds, pythonStartup.samplesMilliseconds.count, listMs(pythonStartup.samplesMilliseconds),
                 Double(pythonStartup.emptyRSSKiB) / 1024, Double(pythonStartup.emptyPeakRSSKiB) / 1024))
}
flushOutput()
let strace = options.strace ? StraceBenchmark.locate() : nil
if options.strace && strace == nil { print("strace is not installed: no system-call counts (apt-get install strace)") }
let emptyOnce = attempt("credmon run --once on an empty directory") { try OncePasses.run(binary: options.binary, base: options.baseDirectory, users: 0, label: "once-empty") }
let emptyCalls = strace.flatMap { strace in
    attempt("strace on an empty directory") { try OncePasses.strace(strace, binary: options.binary, base: options.baseDirectory, users: 0) }
}

var reports: [[String: Any]] = []
print(String(format: "%8@ %12@ %12@ %14@ %10@ %10@ %10@ %9@", "users", "first pass", "tokens/s", "steady pass", "lat p50", "lat p99", "lat max", "peak RSS"))
for users in options.users {
    let loadBefore = Machine.loadAverage()
    print("         load average before: \(loadBefore)")
    do {
        let result = try run(users: users, options: options)
        let steadyMedian = percentile(result.steadyPassMilliseconds, 50)
        print(String(format: "%8d %9.1f ms %12.0f %8.1f ms (n=%d) %7.2f ms %7.2f ms %7.2f ms %6.1f MiB",
                     users, result.firstPassMilliseconds, Double(users) / (result.firstPassMilliseconds / 1000),
                     steadyMedian, result.steadyPassMilliseconds.count,
                     percentile(result.latencyMilliseconds, 50), percentile(result.latencyMilliseconds, 99),
                     result.latencyMilliseconds.max() ?? .nan, Double(result.peakRSSKiB) / 1024))
        print(String(format: "         steady passes: median %.1f ms, max %.1f ms; passes that listed directories again or were deep (right after the first; every 10th): %@; memory now: %.1f MiB anonymous + %.1f MiB mapped files",
                     steadyMedian, result.steadyPassMilliseconds.max() ?? .nan,
                     result.postBurstPassMilliseconds.map { String(format: "%.0f ms", $0) }.joined(separator: ", "),
                     Double(result.anonymousKiB) / 1024, Double(result.fileKiB) / 1024))
        print(String(format: "         daemon CPU from start to the end of the first pass %.0f ms; steady window: %d passes, p90 %.1f ms; daemon CPU per pass %.1f ms (clock ticks: %.1f ms)",
                     result.firstPassCPUMilliseconds, result.steadyWindowPasses, percentile(result.steadyPassMilliseconds, 90),
                     result.steadyCPUPerPassMilliseconds, result.steadyCPUTicksPerPassMilliseconds))
        if options.metrics {
            let scrape = result.scrape.map { String(format: "%@, %d bytes in %.2f ms", $0.status, $0.bytes, $0.milliseconds) } ?? "failed"
            print("         metrics: textfile \(result.textfileBytes ?? -1) bytes; one scrape of /metrics: \(scrape)")
        }
        if result.latencyMilliseconds.count < options.samples {
            print("  warning: \(options.samples - result.latencyMilliseconds.count) latency samples timed out")
        }
        print(String(format: "         deep pass after SIGHUP, nothing due: median %.1f ms (%@)",
                     percentile(result.deepPassMilliseconds, 50), listMs(result.deepPassMilliseconds)))
        let once = attempt("credmon run --once") { try OncePasses.run(binary: options.binary, base: options.baseDirectory, users: users, label: "once-\(users)") }
        if let once {
            print(String(format: "         first pass alone (credmon run --once): daemon CPU %.0f ms user+sys (%.0f ms on an empty directory), %.0f ms from spawn to exit, pass logged %.1f ms",
                         once.cpuMilliseconds, emptyOnce?.cpuMilliseconds ?? .nan, once.wallMilliseconds, once.firstPassMilliseconds ?? .nan))
        }
        var calls: StraceBenchmark.Result?
        if let strace, let emptyCalls {
            calls = attempt("strace") {
                let counts = try OncePasses.strace(strace, binary: options.binary, base: options.baseDirectory, users: users)
                return StraceBenchmark.perToken(users: users, withUsers: counts, empty: emptyCalls)
            }
            if let calls { print("         first pass under strace -c -f: " + StraceBenchmark.describe(calls)) }
        }
        var python: PythonCredmon.Result?
        if options.python {
            python = attempt("Python credmon") { try PythonCredmon.run(users: users, base: options.baseDirectory, sighups: options.sighups) }
            if let python {
                print(String(format: "         Python credmon: first pass %.0f ms from spawn to CREDMON_COMPLETE (its worker's pass %.0f ms; %d .use written; CPU %.0f ms); deep pass after SIGHUP: median %.0f ms (%@; worker: %@); peak RSS %.1f MiB (parent %.1f + worker %.1f; PSS at the end %.1f MiB)",
                             python.firstPassMilliseconds, python.firstPassScanMilliseconds ?? .nan, python.usesWritten, python.firstPassCPUMilliseconds,
                             percentile(python.deepPassMilliseconds, 50), listMs(python.deepPassMilliseconds), listMs(python.deepPassScanMilliseconds),
                             Double(python.peakRSSKiB) / 1024, Double(python.parentPeakRSSKiB) / 1024, Double(python.workerPeakRSSKiB) / 1024, Double(python.pssKiB) / 1024))
            }
        }
        let userRun = Report.UserRun(users: users, result: result, once: once, emptyOnce: emptyOnce, strace: calls, python: python,
                                 loadBefore: loadBefore, loadAfter: Machine.loadAverage())
        reports.append(Report.run(userRun, startup: startup, pythonStartup: pythonStartup, fileSystem: baseFileSystem))
    } catch {
        print("\(users): failed: \(error)")
    }
    flushOutput()
}
print("load average at the end: \(Machine.loadAverage())")
if let json = options.json {
    var top: [String: Any] = [
        "date": ISO8601DateFormatter().string(from: started), "directory": options.baseDirectory, "file_system": baseFileSystem,
        "machine": ["cores": Machine.cores, "cpu": Machine.cpu, "memory_gib": Report.number(Machine.memoryGiB)] as [String: Any],
        "binary": Machine.binary(options.binary), "metrics": options.metrics, "steady_window_s": options.steadySeconds,
        "startup": Report.startup(startup), "python_startup": Report.startup(pythonStartup), "runs": reports,
        "load_end": Machine.loadAverage(),
    ]
    if let note = options.note { top["note"] = note }
    if let commit = options.binaryCommit { top["binary_commit"] = commit }
    if options.python { top["python_driver"] = PythonCredmon.driver }
    try Report.write(top, to: json)
}
