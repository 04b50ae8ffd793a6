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
import Engine
import Foundation
import Glibc

struct Options {
    var users = [1000, 10000]
    var samples = 200
    var steadySeconds = 4
    var metrics = false
    var binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("credmon").path
    var baseDirectory = FileManager.default.temporaryDirectory.path

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--users": users = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--samples": samples = Int(iterator.next() ?? "") ?? samples
            case "--steady": steadySeconds = max(1, Int(iterator.next() ?? "") ?? steadySeconds)
            case "--metrics": metrics = true
            case "--binary": binary = iterator.next() ?? binary
            case "--dir": baseDirectory = iterator.next() ?? baseDirectory
            default:
                FileHandle.standardError.write(Data("usage: credmon-bench [--users 1000,10000] [--samples N] [--steady SECONDS] [--metrics] [--binary PATH] [--dir BASE]\n".utf8))
                exit(2)
            }
        }
    }
}

struct Result {
    var users: Int
    var firstPassMilliseconds: Double
    /// The daemon's CPU time from its start to the end of the first pass (clock ticks, exited threads included).
    var firstPassCPUMilliseconds: Double
    var steadyPassMilliseconds: [Double]
    var latencyMilliseconds: [Double]
    var peakRSSKiB: Int
    var anonymousKiB: Int
    var fileKiB: Int
    var postBurstPassMilliseconds: [Double]
    /// The daemon's CPU time over the steady window divided by the passes in it (schedstat, and clock ticks).
    var steadyCPUPerPassMilliseconds: Double
    var steadyCPUTicksPerPassMilliseconds: Double
    var steadyWindowPasses: Int
    /// With --metrics: the scrape in the steady window and the textfile's size at the end.
    var scrape: (status: String, bytes: Int, milliseconds: Double)?
    var textfileBytes: Int?
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let index = min(sorted.count - 1, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1)
    return sorted[max(0, index)]
}

func writeTop(_ credentialDirectory: String, user: String) {
    let directory = credentialDirectory + "/" + user
    mkdir(directory, 0o700)
    let final = directory + "/scitokens.top"
    let temporary = final + ".tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let content = Array("\(user)@foo".utf8)
    _ = content.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    rename(temporary, final)
}

func logLines(_ path: String) -> [Substring] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
}

func metadataValue(_ line: Substring, _ key: String) -> Double? {
    guard let range = line.range(of: key + "=") else { return nil }
    return Double(line[range.upperBound...].prefix { !$0.isWhitespace })
}

/// A field of /proc/<pid>/status in KiB (VmHWM = peak RSS; RssAnon = heap and stacks; RssFile = mapped code).
func memory(pid: Int32, _ field: String) -> Int {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

/// Waits (with inotify) until `name` is moved or written into `directory`; returns the elapsed time.
func waitForFile(directory: String, name: String, startedAt start: ContinuousClock.Instant, timeout: Duration) -> Duration? {
    let fd = inotify_init1(Int32(IN_CLOEXEC))
    defer { close(fd) }
    inotify_add_watch(fd, directory, UInt32(IN_MOVED_TO | IN_CLOSE_WRITE))
    if access(directory + "/" + name, F_OK) == 0 { return ContinuousClock.now - start }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 100) > 0 else {
            if access(directory + "/" + name, F_OK) == 0 { return ContinuousClock.now - start }
            continue
        }
        _ = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if access(directory + "/" + name, F_OK) == 0 { return ContinuousClock.now - start }
    }
    return nil
}

/// Starts `credmon run` on `<root>/cred`, `<root>/providers.d`, logging to `<root>/credmon.log`.
func startDaemon(binary: String, root: String, extra: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["run", "--cred-dir", root + "/cred", "--providers-dir", root + "/providers.d", "--state-dir", root + "/state",
                         "--key-dir", root + "/keys", "--log-file", root + "/credmon.log"] + extra
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

func stopDaemon(_ process: Process) {
    if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    process.waitUntilExit()
}

/// The daemon's own first-pass duration (ms), from its log; nil after 120 s.
func waitForFirstPass(log: String) -> Double? {
    let deadline = Date().addingTimeInterval(120)
    while Date() < deadline {
        if let duration = logLines(log).first(where: { $0.contains("First pass complete") }).flatMap({ metadataValue($0, "credmon.duration_ms") }) {
            return duration
        }
        usleep(20_000)
    }
    return nil
}

func run(users: Int, options: Options) throws -> Result {
    let root = options.baseDirectory + "/credmon-bench-\(users)-\(getpid())"
    let credentials = root + "/cred", providers = root + "/providers.d", log = root + "/credmon.log"
    try FileManager.default.createDirectory(atPath: providers, withIntermediateDirectories: true)
    mkdir(credentials, 0o2770)
    chmod(credentials, 0o2770)
    defer { try? FileManager.default.removeItem(atPath: root) }
    try """
    name: scitokens
    kind: local-scitoken
    issuer: https://bench.example.org
    audience: ["https://storage.example.org"]
    lifetime: 1200
    """.write(toFile: providers + "/scitokens.yaml", atomically: true, encoding: .utf8)
    for index in 0..<users { writeTop(credentials, user: "user\(index)") }

    var extra = ["--scan-interval", "1", "--debug"]
    var metricsPort: Int?
    let textfile = root + "/credmon.prom"
    if options.metrics {
        guard let port = DaemonProbes.freeLoopbackPort() else {
            throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "no free loopback port"])
        }
        metricsPort = port
        extra += ["--metrics-textfile", textfile, "--metrics-listen", "127.0.0.1:\(port)"]
    }
    let process = try startDaemon(binary: options.binary, root: root, extra: extra)
    defer { stopDaemon(process) }
    let pid = process.processIdentifier
    guard let firstPass = waitForFirstPass(log: log) else {
        throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "no first pass in 120 s; see \(log)"])
    }
    let firstPassCPU = DaemonProbes.cpuTicksMilliseconds(pid: pid)
    // Steady passes: nothing is due (tokens live 1200 s), scan interval 1 s. Steady: nothing due and no user
    // directory changed. Post-burst: the directories written in the last 2 s are listed again once (see
    // DirectoryScanner); every 10th pass is deep and lists them all again (counted with these). The window opens at
    // the first steady pass (polled every 100 ms, at most 30 s).
    func passLines() -> [Substring] { logLines(log).filter { $0.contains(" Pass complete") && $0.contains("credmon.processed=0") } }
    let settleDeadline = Date().addingTimeInterval(30)
    while Date() < settleDeadline && !passLines().contains(where: { $0.contains("credmon.listed=0 ") }) { usleep(100_000) }
    let passesBefore = passLines().count
    let cpuBefore = DaemonProbes.cpuMilliseconds(pid: pid), ticksBefore = DaemonProbes.cpuTicksMilliseconds(pid: pid)
    var scrape: (status: String, bytes: Int, milliseconds: Double)?
    if let metricsPort {
        usleep(UInt32(options.steadySeconds) * 500_000)
        scrape = DaemonProbes.scrape(port: metricsPort)
        usleep(UInt32(options.steadySeconds) * 500_000)
    } else {
        sleep(UInt32(options.steadySeconds))
    }
    let cpuAfter = DaemonProbes.cpuMilliseconds(pid: pid), ticksAfter = DaemonProbes.cpuTicksMilliseconds(pid: pid)
    let passes = passLines()
    let windowPasses = passes.count - passesBefore
    let steadyLines = passes.dropFirst(passesBefore).filter { $0.contains("credmon.listed=0 ") }
    let steady = steadyLines.compactMap { metadataValue($0, "credmon.duration_ms") }
    let postBurst = passes.filter { !$0.contains("credmon.listed=0 ") }.compactMap { metadataValue($0, "credmon.duration_ms") }
    let textfileBytes = options.metrics ? (try? FileManager.default.attributesOfItem(atPath: textfile)[.size] as? Int) ?? -1 : nil
    // Latency from a new .top to its .use, no SIGHUP.
    var latencies: [Double] = []
    for sample in 0..<options.samples {
        let user = "new\(sample)"
        let directory = credentials + "/" + user
        mkdir(directory, 0o700)
        usleep(20_000)
        let start = ContinuousClock.now
        writeTop(credentials, user: user)
        if let elapsed = waitForFile(directory: directory, name: "scitokens.use", startedAt: start, timeout: .seconds(10)) {
            latencies.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        }
    }
    return Result(users: users, firstPassMilliseconds: firstPass, firstPassCPUMilliseconds: firstPassCPU, steadyPassMilliseconds: steady, latencyMilliseconds: latencies,
                  peakRSSKiB: memory(pid: pid, "VmHWM"), anonymousKiB: memory(pid: pid, "RssAnon"), fileKiB: memory(pid: pid, "RssFile"),
                  postBurstPassMilliseconds: postBurst,
                  steadyCPUPerPassMilliseconds: windowPasses > 0 ? (cpuAfter - cpuBefore) / Double(windowPasses) : .nan,
                  steadyCPUTicksPerPassMilliseconds: windowPasses > 0 ? (ticksAfter - ticksBefore) / Double(windowPasses) : .nan,
                  steadyWindowPasses: windowPasses, scrape: scrape, textfileBytes: textfileBytes)
}

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
let cpu = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").split(separator: "\n")
    .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":")[1]).trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
func fileSystem(of path: String) -> String {
    let mounts = ((try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? "").split(separator: "\n")
    var best: (mountPoint: String, type: String) = ("", "unknown")
    for line in mounts {
        let fields = line.split(separator: " ").map(String.init)
        guard fields.count > 2, path.hasPrefix(fields[1]), fields[1].count > best.mountPoint.count else { continue }
        best = (fields[1], fields[2])
    }
    return "\(best.type) (mounted at \(best.mountPoint))"
}
let baseFileSystem = fileSystem(of: options.baseDirectory)
print("credmon-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), binary \(options.binary)")
print("directory \(options.baseDirectory) on \(baseFileSystem); metrics \(options.metrics ? "on (--metrics-textfile, --metrics-listen 127.0.0.1)" : "off"); steady window \(options.steadySeconds) s")
print(String(format: "%8@ %12@ %12@ %14@ %10@ %10@ %10@ %9@", "users", "first pass", "tokens/s", "steady pass", "lat p50", "lat p99", "lat max", "peak RSS"))
for users in options.users {
    do {
        let result = try run(users: users, options: options)
        let steadyMedian = percentile(result.steadyPassMilliseconds, 50)
        print(String(format: "%8d %9.1f ms %12.0f %8.1f ms (n=%d) %7.2f ms %7.2f ms %7.2f ms %6.1f MiB",
                     users, result.firstPassMilliseconds, Double(users) / (result.firstPassMilliseconds / 1000),
                     steadyMedian, result.steadyPassMilliseconds.count,
                     percentile(result.latencyMilliseconds, 50), percentile(result.latencyMilliseconds, 99),
                     result.latencyMilliseconds.max() ?? .nan, Double(result.peakRSSKiB) / 1024))
        print(String(format: "         steady passes: median %.1f ms, max %.1f ms; passes that listed directories again (right after the first, and every 10th, deep): %@; memory now: %.1f MiB anonymous + %.1f MiB mapped files",
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
    } catch {
        print("\(users): failed: \(error)")
    }
}
