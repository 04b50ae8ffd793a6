import Foundation
import Glibc

// Files, logs and memory of a running daemon, as the benchmark reads them.

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

/// Proportional set size (KiB, /proc/<pid>/smaps_rollup): pages shared with another process count half, so the
/// PSS of a parent and its forked worker add up without counting their shared pages twice, as RSS does.
func proportionalSetKiB(pid: Int32) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix("Pss:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

func logLines(_ path: String) -> [Substring] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
}

/// The lines appended to `path` since byte `offset` (a whole line at a time), and the offset after them: polling the
/// log while the daemon runs must not read it whole each time (at 10,000 users it is megabytes, and the reading would
/// compete with the daemon for the CPU it is measured on).
func logLines(_ path: String, after offset: inout Int) -> [Substring] {
    guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
    defer { try? handle.close() }
    guard (try? handle.seek(toOffset: UInt64(offset))) != nil, let data = try? handle.readToEnd(), !data.isEmpty,
          let lastNewline = data.lastIndex(of: 0x0A) else { return [] }
    let complete = data[data.startIndex...lastNewline]
    offset += complete.count
    return String(decoding: complete, as: UTF8.self).split(separator: "\n")
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
///
/// With `marker` (opened before the daemon started), sleeps on inotify until `CREDMON_COMPLETE` appears, which the
/// daemon touches just before it logs the line, and reads the log only then: a log that grows by a line per token,
/// read every 20 ms, took CPU from the daemon being measured on this machine's two cores.
func waitForFirstPass(log: String, marker: MarkerWatch? = nil) -> Double? {
    if let marker, marker.wait(for: MarkerEvent.appeared, timeout: .seconds(120)) == nil { return nil }
    let deadline = Date().addingTimeInterval(120)
    var offset = 0
    while Date() < deadline {
        // Only what was appended since the last look: the first pass writes a line per token.
        if let duration = logLines(log, after: &offset).first(where: { $0.contains("First pass complete") })
            .flatMap({ metadataValue($0, "credmon.duration_ms") }) {
            return duration
        }
        usleep(20_000)
    }
    return nil
}
