import Foundation
import Glibc

/// A notification command for the daemon (`notify_command`, `--notify-command`): a `/bin/sh` script written into a
/// test's directory that, on every run, dumps its whole environment (`env -0`) to a file of its own and then appends
/// one line, `<state> <user> <service> <expires_at>`, to a log. The dump is written before the line, so a line seen
/// means its dump is complete.
struct NotifyRecorder {
    /// One run, as the log line tells it.
    struct Line: Equatable, CustomStringConvertible {
        var state: String
        var user: String
        var service: String
        /// `CREDMON_EXPIRES_AT`; nil when it was empty.
        var expiresAt: Int?

        var description: String { "\(state) \(user) \(service) \(expiresAt.map(String.init) ?? "-")" }
    }

    let directory: URL
    let script: URL
    var logFile: URL { directory.appendingPathComponent("notifications.log") }

    /// Writes the script (0755) into `<root>/notify/`.
    init(in root: URL) throws {
        directory = root.appendingPathComponent("notify")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        script = root.appendingPathComponent("notify.sh")
        let text = """
            #!/bin/sh
            dir='\(directory.path)'
            /usr/bin/env -0 > "$dir/env.$$-$(date +%s%N)" || exit 3
            printf '%s %s %s %s\\n' "$CREDMON_STATE" "$CREDMON_USER" "$CREDMON_SERVICE" "$CREDMON_EXPIRES_AT" >> "$dir/notifications.log"

            """
        try text.write(to: script, atomically: true, encoding: .utf8)
        guard chmod(script.path, 0o755) == 0 else { throw CocoaError(.fileWriteNoPermission) }
    }

    /// Every run so far, in order.
    var lines: [Line] {
        guard let text = try? String(contentsOf: logFile, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            func field(_ index: Int) -> String { index < fields.count ? fields[index] : "" }
            return Line(state: field(0), user: field(1), service: field(2), expiresAt: Int(field(3)))
        }
    }

    /// The runs for `user`.
    func lines(user: String) -> [Line] { lines.filter { $0.user == user } }

    /// The environment of every run (order not kept), each as its variables.
    var environments: [[String: String]] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasPrefix("env.") }
        return names.compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path) else { return nil }
            var variables: [String: String] = [:]
            for entry in data.split(separator: 0) {
                let text = String(decoding: entry, as: UTF8.self)
                guard let equals = text.firstIndex(of: "=") else { continue }
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            return variables
        }
    }
}
