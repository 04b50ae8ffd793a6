import Foundation

/// Paths the end-to-end tests need: the built `credmon` binary and the verifier helper.
enum TestPaths {
    /// The `credmon` executable built beside this test bundle (or `$CREDMON_BINARY`).
    static var credmon: String {
        if let explicit = ProcessInfo.processInfo.environment["CREDMON_BINARY"] { return explicit }
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("credmon").path
    }

    /// `Tests/EndToEndTests/Verifiers/verify_token.py`.
    static var verifier: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Verifiers/verify_token.py").path
    }

    /// A fresh temporary directory (mode 0700), removed by the caller.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("credmon-e2e-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return url
    }
}
