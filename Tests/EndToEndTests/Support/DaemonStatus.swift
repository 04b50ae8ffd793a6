import Foundation
import Glibc

/// What the daemon reports and records, read the ways an operator reads them.
extension DaemonProcess {
    /// The entry of `<user>/<token>` in `credmon status --json` (the status file the daemon writes), or nil.
    func statusEntry(_ user: String, _ token: String) -> [String: Any]? {
        guard let result = try? command("status", ["--json"]), result.status == 0,
              let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
              let credentials = object["credentials"] as? [[String: Any]] else { return nil }
        return credentials.first { $0["user"] as? String == user && $0["token"] as? String == token }
    }

    /// A credential file parsed as a JSON object, or nil.
    func jsonFile(_ user: String, _ file: String) -> [String: Any]? {
        credd.read(user, file).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The `access_token` of `<user>/<token>.use`, or nil.
    func accessToken(_ user: String, _ token: String) -> String? {
        jsonFile(user, "\(token).use")?["access_token"] as? String
    }

    /// Sends SIGHUP and waits for the full pass it starts to finish (`CREDMON_COMPLETE` touched again): after it,
    /// everything the daemon was going to do about the files as they are has been done.
    func completePass(timeout: TimeInterval = 15) -> Bool {
        let complete = credentialDirectory.appendingPathComponent("CREDMON_COMPLETE").path
        func touched() -> Date? { (try? FileManager.default.attributesOfItem(atPath: complete))?[.modificationDate] as? Date }
        _ = eventually(timeout: timeout) { touched() != nil }
        let before = touched() ?? .distantPast
        // The modification time has a coarse granularity on some file systems: make the next touch distinguishable.
        Thread.sleep(forTimeInterval: 0.05)
        send(SIGHUP)
        return eventually(timeout: timeout) { (touched() ?? .distantPast) > before }
    }

    /// How many times `text` occurs in the log.
    func logCount(_ text: String) -> Int { log.components(separatedBy: text).count - 1 }
}
