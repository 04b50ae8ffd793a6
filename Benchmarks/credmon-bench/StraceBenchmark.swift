import Foundation
import Glibc

/// System calls per token of a first pass: `credmon run --once` (one full pass, then exit) under
/// `strace -c -f -o FILE` on N users, minus the same on an empty directory (start-up and exit are not charged to
/// tokens), divided by N. strace slows the daemon down many times: these runs give counts, not times.
enum StraceBenchmark {
    struct Result: Codable {
        /// Every system call of the N-user run minus the empty run's, per token.
        var total: Double
        /// Per call name, per token, largest first (calls the N-user run made more of than the empty run).
        var perCall: [Call]
        var callsWithUsers: Int
        var callsEmpty: Int

        struct Call: Codable {
            var name: String
            var perToken: Double
        }
    }

    /// strace's path, or nil when it is not installed.
    static func locate() -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/strace"
            if access(path, X_OK) == 0 { return path }
        }
        return nil
    }

    /// Runs `command` under `strace -c -f -o <output>` and returns the calls per system call name.
    static func count(strace: String, command: [String], output: String) throws -> [String: Int] {
        let process = try SpawnedProcess.start([strace, "-c", "-f", "-o", output, "--"] + command)
        let (status, _) = process.wait()
        guard status == 0 else {
            throw NSError(domain: "bench", code: Int(status), userInfo: [NSLocalizedDescriptionKey: "strace run exited with status \(status): \(command.joined(separator: " "))"])
        }
        return parse((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// `strace -c`'s table: `% time  seconds  usecs/call  calls  [errors]  syscall`; the total row is left out.
    static func parse(_ text: String) -> [String: Int] {
        var calls: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 5, let name = fields.last, name != "total", Double(fields[0]) != nil,
                  let count = Int(fields[3]) else { continue }
            calls[String(name), default: 0] += count
        }
        return calls
    }

    static func perToken(users: Int, withUsers: [String: Int], empty: [String: Int]) -> Result {
        let totalWith = withUsers.values.reduce(0, +), totalEmpty = empty.values.reduce(0, +)
        let calls = withUsers.compactMap { name, count -> Result.Call? in
            let extra = count - (empty[name] ?? 0)
            return extra > 0 ? Result.Call(name: name, perToken: Double(extra) / Double(users)) : nil
        }.sorted { $0.perToken > $1.perToken }
        return Result(total: Double(totalWith - totalEmpty) / Double(users), perCall: calls,
                      callsWithUsers: totalWith, callsEmpty: totalEmpty)
    }

    static func describe(_ result: Result, top: Int = 10) -> String {
        String(format: "%.1f system calls per token (", result.total)
            + result.perCall.prefix(top).map { String(format: "%@ %.2f", $0.name, $0.perToken) }.joined(separator: ", ")
            + String(format: "; %d calls with the users, %d on an empty directory)", result.callsWithUsers, result.callsEmpty)
    }
}
