import Foundation
import Glibc
import Testing

/// Issue 12, metrics: the real binary serving `/metrics` on loopback and writing the node_exporter textfile; and,
/// with neither set, no port and no file.
@Suite("Metrics: /metrics over HTTP and the node_exporter textfile", .timeLimit(.minutes(2)))
struct MetricsEndToEndTests {
    @Test("a local-issuer token shows in /metrics (requests, last CREDMON_COMPLETE) and in the textfile with the same names")
    func exportsIssuedToken() throws {
        let daemon = try DaemonProcess(label: "metrics", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        let port = try LoopbackHTTP.freePort()
        let textfile = daemon.root.appendingPathComponent("textfile/credmon.prom")
        try FileManager.default.createDirectory(at: textfile.deletingLastPathComponent(), withIntermediateDirectories: true)
        try daemon.start(extra: ["--metrics-listen", "127.0.0.1:\(port)", "--metrics-textfile", textfile.path])
        try daemon.credd.storeLocalCredential(user: "alice")
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil }, "no token; log:\n\(daemon.log)")

        let success = ["provider": "scitokens", "outcome": "success"]
        var scraped = Exposition("")
        let counted = eventually(timeout: 10, interval: 0.1) {
            guard let answer = try? LoopbackHTTP.get(port: port, path: "/metrics"), answer.status == 200 else { return false }
            scraped = Exposition(answer.body)
            return (scraped.value("credmon_token_requests_total", success) ?? 0) >= 1
        }
        #expect(counted, "no successful request counted; scraped:\n\(scraped.samples)\nlog:\n\(daemon.log)")
        let lastComplete = try #require(scraped.value("credmon_last_complete_timestamp_seconds"), "\(scraped.samples)")
        let now = Date().timeIntervalSince1970
        #expect(lastComplete <= now + 1 && lastComplete >= now - 60, "last complete \(lastComplete), now \(now)")
        #expect((scraped.value("credmon_token_request_duration_seconds_count", ["provider": "scitokens"]) ?? 0) >= 1)
        for name in ["credmon_queue_depth", "credmon_backoffs", "credmon_pass_duration_seconds"] {
            #expect(scraped.typedNames.contains(name), "\(name) missing from \(scraped.typedNames.sorted())")
        }

        // A pass after the issue: the textfile then has the request, the credential's state and the same names.
        daemon.send(SIGHUP)
        var written = Exposition("")
        let fileCounted = eventually(timeout: 10, interval: 0.1) {
            guard let text = try? String(contentsOf: textfile, encoding: .utf8) else { return false }
            written = Exposition(text)
            return (written.value("credmon_token_requests_total", success) ?? 0) >= 1
                && written.value("credmon_credentials", ["provider": "scitokens", "state": "valid"]) == 1
        }
        #expect(fileCounted, "textfile without the request; read:\n\(written.samples)\nlog:\n\(daemon.log)")
        let sameNames = eventually(timeout: 10, interval: 0.1) {
            guard let answer = try? LoopbackHTTP.get(port: port, path: "/metrics"), answer.status == 200 else { return false }
            scraped = Exposition(answer.body)
            return scraped.typedNames == written.typedNames
        }
        #expect(sameNames, "names differ: endpoint \(scraped.typedNames.sorted()), file \(written.typedNames.sorted())")
        #expect(written.typedNames.allSatisfy { $0.hasPrefix("credmon_") }, "\(written.typedNames.sorted())")
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: textfile.path)[.posixPermissions] as? Int)
        #expect(mode == 0o644, "mode \(String(mode, radix: 8))")
        // A write may be under way at any moment (its temporary file then exists); none is left behind.
        var leftovers: [String] = []
        let clean = eventually(timeout: 10, interval: 0.05) {
            leftovers = (try? FileManager.default.contentsOfDirectory(atPath: textfile.deletingLastPathComponent().path)) ?? []
            return leftovers == ["credmon.prom"]
        }
        #expect(clean, "\(leftovers)")
        #expect(try LoopbackHTTP.get(port: port, path: "/other").status == 404)
    }

    @Test("with metrics off nothing listens and no textfile is written")
    func offByDefault() throws {
        let daemon = try DaemonProcess(label: "nometrics", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        let port = try LoopbackHTTP.freePort()
        let textfile = daemon.root.appendingPathComponent("credmon.prom")
        try daemon.start()
        let complete = daemon.credentialDirectory.appendingPathComponent("CREDMON_COMPLETE").path
        #expect(eventually(timeout: 10) { FileManager.default.fileExists(atPath: complete) }, "no CREDMON_COMPLETE; log:\n\(daemon.log)")
        try daemon.credd.storeLocalCredential(user: "alice")
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil }, "no token; log:\n\(daemon.log)")
        #expect(LoopbackHTTP.connectErrno(port: port) == ECONNREFUSED)
        #expect(!FileManager.default.fileExists(atPath: textfile.path))
        #expect(!daemon.log.contains("Serving metrics") && !daemon.log.contains("metrics textfile"), "log:\n\(daemon.log)")
    }

    @Test("a --metrics-listen that is not HOST:PORT is refused before the daemon starts")
    func badListenRefused() throws {
        let daemon = try DaemonProcess(label: "badmetrics", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        let result = try daemon.command("run", ["--metrics-listen", "127.0.0.1:http", "--once"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--metrics-listen"), "\(result.stderr)")
    }
}
