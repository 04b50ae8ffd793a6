import Foundation
import Glibc

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
    /// Deep passes after SIGHUP with nothing due (the daemon's own timing of the pass that followed each signal).
    var deepPassMilliseconds: [Double] = []
}

/// Credmon's long run on N users: first pass, the steady window, deep passes after SIGHUP, new-user latency, peak
/// RSS (see main.swift).
func run(users: Int, options: Options) throws -> Result {
    let root = try BenchTree.create(base: options.baseDirectory, label: "\(users)", users: users)
    let credentials = root + "/cred", log = root + "/credmon.log"
    defer { BenchTree.remove(root) }

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
    let marker = try MarkerWatch(directory: credentials)
    let process = try startDaemon(binary: options.binary, root: root, extra: extra)
    defer { stopDaemon(process) }
    let pid = process.processIdentifier
    guard let firstPass = waitForFirstPass(log: log, marker: marker) else {
        throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "no first pass in 120 s; see \(log)"])
    }
    let firstPassCPU = DaemonProbes.cpuTicksMilliseconds(pid: pid)
    // Steady passes: nothing is due (tokens live 1200 s), scan interval 1 s. Steady: nothing due and no user
    // directory changed. Post-burst: the directories written in the last 2 s are listed again once (see
    // DirectoryScanner); every 10th pass is deep and lists them all again (counted with these). The window opens at
    // the first steady pass (polled every 100 ms, at most 30 s).
    func passLines() -> [Substring] { logLines(log).filter { $0.contains(" Pass complete") && $0.contains("credmon.processed=0") } }
    // A deep pass lists no unchanged directory either (it stats their files): "deep=false" tells the steady ones apart.
    func isSteady(_ line: Substring) -> Bool { line.contains("credmon.listed=0 ") && line.contains("credmon.deep=false") }
    let settleDeadline = Date().addingTimeInterval(30)
    while Date() < settleDeadline && !passLines().contains(where: isSteady) { usleep(100_000) }
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
    let steadyLines = passes.dropFirst(passesBefore).filter(isSteady)
    let steady = steadyLines.compactMap { metadataValue($0, "credmon.duration_ms") }
    let postBurst = passes.filter { !isSteady($0) }.compactMap { metadataValue($0, "credmon.duration_ms") }
    let textfileBytes = options.metrics ? (try? FileManager.default.attributesOfItem(atPath: textfile)[.size] as? Int) ?? -1 : nil
    // Deep passes after SIGHUP: providers reloaded, every file stat'ed again, nothing due. The pass that follows
    // the signal's log line and says deep=true (polled every 10 ms, at most 60 s each).
    var deepPasses: [Double] = []
    for _ in 0..<options.sighups {
        var offset = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0
        var fresh: [Substring] = []
        kill(pid, SIGHUP)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            fresh += logLines(log, after: &offset)
            if let signalled = fresh.firstIndex(where: { $0.contains("SIGHUP: reloading providers") }),
               let pass = fresh[signalled...].first(where: { $0.contains("Pass complete") && $0.contains("credmon.deep=true") }),
               let duration = metadataValue(pass, "credmon.duration_ms") {
                deepPasses.append(duration)
                break
            }
            usleep(10_000)
        }
        usleep(300_000)
    }
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
                  steadyWindowPasses: windowPasses, scrape: scrape, textfileBytes: textfileBytes, deepPassMilliseconds: deepPasses)
}
