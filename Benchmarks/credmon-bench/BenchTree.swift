import Foundation
import Glibc

/// The directories a benchmark run works in: `<base>/credmon-bench-<label>-<pid>/` with `cred/` (N users, each
/// with `scitokens.top` written as condor_credd does), `providers.d/scitokens.yaml` (a local issuer: ES256,
/// lifetime 1200 s, so nothing falls due during a run), `state/`, `keys/`; synced to disk before it is used.
enum BenchTree {
    static let provider = """
    name: scitokens
    kind: local-scitoken
    issuer: https://bench.example.org
    audience: ["https://storage.example.org"]
    lifetime: 1200
    """

    static func create(base: String, label: String, users: Int) throws -> String {
        let root = base + "/credmon-bench-\(label)-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root + "/providers.d", withIntermediateDirectories: true)
        mkdir(root + "/cred", 0o2770)
        chmod(root + "/cred", 0o2770)
        try provider.write(toFile: root + "/providers.d/scitokens.yaml", atomically: true, encoding: .utf8)
        for index in 0..<users { writeTop(root + "/cred", user: "user\(index)") }
        // The files condor_credd wrote are long on disk when the daemon starts; without this its first pass on a
        // disk file system would pay for writing back the whole setup (ext4 commits it in the same journal).
        sync()
        return root
    }

    static func remove(_ root: String) { try? FileManager.default.removeItem(atPath: root) }

    /// `credmon run` on the tree, logging to `<root>/credmon.log`.
    static func credmonCommand(binary: String, root: String, extra: [String]) -> [String] {
        [binary, "run", "--cred-dir", root + "/cred", "--providers-dir", root + "/providers.d", "--state-dir", root + "/state",
         "--key-dir", root + "/keys", "--log-file", root + "/credmon.log"] + extra
    }
}
