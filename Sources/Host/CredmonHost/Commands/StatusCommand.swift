import ArgumentParser
import Engine
import FoundationEssentials
import Glibc

/// `credmon status`: every credential, its provider, state, expiry and last error.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every credential the daemon manages: user, service, provider, state, expiry, last renewal, next due, failures, last error.")

    @OptionGroup var locations: LocationOptions

    @Flag(name: .customLong("json"), help: "Print the status file as JSON.")
    var json = false

    func run() async throws {
        let deployment = locations.deployment()
        let report: StatusReport
        do {
            report = try StatusReport.read(from: deployment.stateDirectory)
        } catch {
            throw ValidationError("no status in \(deployment.stateDirectory): is the daemon running with this --state-dir? (\(ErrorText.localizedDescription(error)))")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        let now = Date().timeIntervalSince1970
        let age = Int(now - report.generatedAt)
        let alive = kill(report.pid, 0) == 0
        print("daemon pid \(report.pid) (\(alive ? "running" : "not running")), status written \(age)s ago, credential directory \(report.credentialDirectory)")
        // CREDENTIAL and TOP EXPIRES: the long-lived credential behind the token (refresh token, Vault token).
        let header = ["USER", "TOKEN", "PROVIDER", "STATE", "EXPIRES", "CREDENTIAL", "TOP EXPIRES"]
            + ["RENEWED", "NEXT", "FAILURES", "LAST ERROR"]
        let rows = [header] + report.credentials.map { entry -> [String] in
            func when(_ date: Double?) -> String { date.map { Self.relative($0 - now) } ?? "-" }
            var row: [String] = [entry.user, entry.token, entry.provider ?? "-", entry.state, when(entry.expiresAt),
                                 entry.credentialState ?? "-"]
            row.append(entry.credentialExpirySource == "never" ? "never" : when(entry.credentialExpiresAt ?? entry.seedExpiresAt))
            row += [when(entry.lastRenewal), when(entry.nextDue), String(entry.consecutiveFailures), entry.lastError ?? ""]
            return row
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            print(zip(row, widths).map { $0.padded(toLength: $1) }.joined(separator: "  ")
                .trimmingSpaces())
        }
    }

    static func relative(_ seconds: Double) -> String {
        let value = Int(max(-1e12, min(1e12, seconds)).rounded())
        let magnitude = abs(value)
        let text = magnitude >= 172_800 ? "\(magnitude / 86400)d\((magnitude % 86400) / 3600)h" : magnitude >= 3600 ? "\(magnitude / 3600)h\((magnitude % 3600) / 60)m" : magnitude >= 60 ? "\(magnitude / 60)m\(magnitude % 60)s" : "\(magnitude)s"
        return value < 0 ? "\(text) ago" : "in \(text)"
    }
}
