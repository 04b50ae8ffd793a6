import Foundation

/// The daemon's `<state dir>/status.json` (keys as `StatusReport` writes them), read without linking the host.
struct StatusFile {
    struct Entry {
        var user: String
        var token: String
        var state: String
        var consecutiveFailures: Int
        var lastError: String?
        /// When the daemon will try again (seconds since 1970).
        var nextDue: Double?
    }

    var credentials: [Entry]
    var raw: String

    /// Reads `status.json` in `stateDirectory`; nil if it is missing or not yet whole.
    static func read(stateDirectory: URL) -> StatusFile? {
        guard let data = FileManager.default.contents(atPath: stateDirectory.appendingPathComponent("status.json").path) else { return nil }
        return parse(data)
    }

    /// Parses the file's JSON (or `credmon status --json`'s output, which is the same document).
    static func parse(_ data: Data) -> StatusFile? {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let list = object["credentials"] as? [[String: Any]] else { return nil }
        let entries = list.map { item in
            Entry(user: item["user"] as? String ?? "", token: item["token"] as? String ?? "", state: item["state"] as? String ?? "",
                  consecutiveFailures: item["consecutiveFailures"] as? Int ?? 0, lastError: item["lastError"] as? String,
                  nextDue: item["nextDue"] as? Double)
        }
        return StatusFile(credentials: entries, raw: String(decoding: data, as: UTF8.self))
    }

    func entry(user: String, token: String) -> Entry? { credentials.first { $0.user == user && $0.token == token } }
}
