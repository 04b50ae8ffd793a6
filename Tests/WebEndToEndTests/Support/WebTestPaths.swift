@_exported import CredmonTestKit  // eventually, for every file of this target
import Foundation
import Glibc

/// Paths and ports the web end-to-end tests need.
enum WebTestPaths {
    /// A built executable beside this test bundle.
    static func executable(_ name: String) -> String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name).path
    }

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `Tests/WebEndToEndTests/Browser/login.py`.
    static var browserScript: String { browserScript("login.py") }

    /// A script of `Tests/WebEndToEndTests/Browser/`.
    static func browserScript(_ name: String) -> String { packageRoot.appendingPathComponent("Tests/WebEndToEndTests/Browser/\(name)").path }

    /// Where screenshots and logs are kept after the run: `$CREDMON_TEST_OUTPUT/<label>` or `.build/test-output/<label>`.
    static func outputDirectory(_ label: String) throws -> URL {
        let base = ProcessInfo.processInfo.environment["CREDMON_TEST_OUTPUT"].map(URL.init(fileURLWithPath:))
            ?? packageRoot.appendingPathComponent(".build/test-output")
        let url = base.appendingPathComponent(label)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A fresh temporary directory (mode 0700).
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("credmon-web-e2e-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return url
    }

    /// A TCP port that was free a moment ago on 127.0.0.1.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
