import Foundation
import Glibc

/// A child started with posix_spawn (no Foundation `Process`: the start-up figures time the spawn itself, and
/// `wait4` gives the child's CPU time exactly, every thread included).
struct SpawnedProcess {
    let pid: pid_t

    /// Starts `arguments[0]` (a path, or a name looked up in PATH) with `environment` added to this process's,
    /// standard output and error to `output` (or /dev/null).
    static func start(_ arguments: [String], environment: [String: String] = [:], output: String? = nil) throws -> SpawnedProcess {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard status == 0 else {
            throw NSError(domain: "bench", code: Int(status), userInfo: [NSLocalizedDescriptionKey: "cannot start \(arguments[0]): \(String(cString: strerror(status)))"])
        }
        return SpawnedProcess(pid: pid)
    }

    /// Waits for the child; its exit status and CPU time (user + system, ms).
    @discardableResult
    func wait() -> (status: Int32, cpuMilliseconds: Double) {
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        func ms(_ t: timeval) -> Double { Double(t.tv_sec) * 1000 + Double(t.tv_usec) / 1000 }
        return (status, ms(usage.ru_utime) + ms(usage.ru_stime))
    }

    /// SIGTERM, then the wait.
    @discardableResult
    func stop() -> (status: Int32, cpuMilliseconds: Double) {
        kill(pid, SIGTERM)
        return wait()
    }

    /// This process's children (from /proc/<pid>/task/<pid>/children).
    func children() -> [pid_t] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { pid_t($0) }
    }
}

/// Milliseconds of a Duration.
func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}
