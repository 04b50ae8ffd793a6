// credmon-bench: measures the real `credmon` daemon on a synthetic credential directory.
//
//   swift build -c release && .build/release/credmon-bench [--users 1000,10000] [--samples 200] [--binary PATH] [--dir BASE]
//
// For each user count N it writes N `<user>/scitokens.top` files as condor_credd does, starts `credmon run`, and
// reports: the first pass (duration, tokens/s, as the daemon logs it), steady passes with nothing due (the daemon's
// own pass timings, scan interval 1 s), the latency from a new `.top` to its `.use` without SIGHUP (inotify on the
// benchmark side, p50/p99), and the daemon's peak RSS (VmHWM).
import Engine
import Foundation
import Glibc

struct Options {
    var users = [1000, 10000]
    var samples = 200
    var binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("credmon").path
    var baseDirectory = FileManager.default.temporaryDirectory.path

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--users": users = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--samples": samples = Int(iterator.next() ?? "") ?? samples
            case "--binary": binary = iterator.next() ?? binary
            case "--dir": baseDirectory = iterator.next() ?? baseDirectory
            default:
                FileHandle.standardError.write(Data("usage: credmon-bench [--users 1000,10000] [--samples N] [--binary PATH] [--dir BASE]\n".utf8))
                exit(2)
            }
        }
    }
}

struct Result {
    var users: Int
    var firstPassMilliseconds: Double
    var steadyPassMilliseconds: [Double]
    var latencyMilliseconds: [Double]
    var peakRSSKiB: Int
    var anonymousKiB: Int
    var fileKiB: Int
    var postBurstPassMilliseconds: [Double]
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

    let process = try startDaemon(binary: options.binary, root: root, extra: ["--scan-interval", "1", "--debug"])
    defer { stopDaemon(process) }
    guard let firstPass = waitForFirstPass(log: log) else {
        throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "no first pass in 120 s; see \(log)"])
    }
    // Steady passes: nothing is due (tokens live 1200 s), scan interval 1 s.
    sleep(4)
    let passes = logLines(log).filter { $0.contains(" Pass complete") && $0.contains("credmon.processed=0") }
    // Steady: nothing due and no user directory changed. Post-burst: the directories written in the last 2 s are
    // listed again once (see DirectoryScanner).
    let steady = passes.filter { $0.contains("credmon.listed=0 ") }.compactMap { metadataValue($0, "credmon.duration_ms") }
    let postBurst = passes.filter { !$0.contains("credmon.listed=0 ") }.compactMap { metadataValue($0, "credmon.duration_ms") }
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
    let pid = process.processIdentifier
    return Result(users: users, firstPassMilliseconds: firstPass, steadyPassMilliseconds: steady, latencyMilliseconds: latencies,
                  peakRSSKiB: memory(pid: pid, "VmHWM"), anonymousKiB: memory(pid: pid, "RssAnon"), fileKiB: memory(pid: pid, "RssFile"),
                  postBurstPassMilliseconds: postBurst)
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
print("directory \(options.baseDirectory) on \(baseFileSystem)")
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
        print(String(format: "         steady passes: median %.1f ms, max %.1f ms; passes right after the first (re-listing): %@; memory now: %.1f MiB anonymous + %.1f MiB mapped files",
                     steadyMedian, result.steadyPassMilliseconds.max() ?? .nan,
                     result.postBurstPassMilliseconds.map { String(format: "%.0f ms", $0) }.joined(separator: ", "),
                     Double(result.anonymousKiB) / 1024, Double(result.fileKiB) / 1024))
        if result.latencyMilliseconds.count < options.samples {
            print("  warning: \(options.samples - result.latencyMilliseconds.count) latency samples timed out")
        }
    } catch {
        print("\(users): failed: \(error)")
    }
}
