import Foundation
import Glibc

/// What the figures were measured on: the machine, its load, the file system, the binary and the checkout.
enum Machine {
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    static let cpu = ((try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "").split(separator: "\n")
        .first { $0.hasPrefix("model name") }.map { String($0.split(separator: ":")[1]).trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"

    static let memoryGiB = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824

    /// /proc/loadavg's first three fields.
    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// The type and mount point of the file system holding `path` (the longest mount point that prefixes it).
    static func fileSystem(of path: String) -> String {
        let mounts = ((try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? "").split(separator: "\n")
        var best: (mountPoint: String, type: String) = ("", "unknown")
        for line in mounts {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count > 2, path.hasPrefix(fields[1]), fields[1].count > best.mountPoint.count else { continue }
            best = (fields[1], fields[2])
        }
        return "\(best.type) (mounted at \(best.mountPoint))"
    }

    /// The first line a command prints (empty when it fails).
    static func output(_ arguments: [String]) -> String {
        let file = FileManager.default.temporaryDirectory.path + "/credmon-bench-out-\(getpid())"
        defer { unlink(file) }
        guard let process = try? SpawnedProcess.start(arguments, output: file), process.wait().status == 0 else { return "" }
        return ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").first.map(String.init) ?? ""
    }

    /// The binary under test: path, SHA-256 and modification time; the checkout the bench was built from (its
    /// HEAD and whether it had local changes), which is the daemon's commit when both were built there.
    static func binary(_ path: String) -> [String: Any] {
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        var info: [String: Any] = ["path": path]
        info["sha256"] = output(["sha256sum", path]).split(separator: " ").first.map(String.init) ?? "?"
        if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date {
            info["modified"] = ISO8601DateFormatter().string(from: modified)
        }
        info["checkout"] = checkout
        info["checkout_head"] = output(["git", "-C", checkout, "rev-parse", "--short", "HEAD"])
        info["checkout_describe"] = output(["git", "-C", checkout, "describe", "--always", "--dirty"])
        return info
    }
}
