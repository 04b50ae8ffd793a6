import Foundation
import Glibc
import Testing

/// Runs a credmon command with its output in files; nil when it has not exited within `timeout` (it is then killed).
private func runBounded(_ arguments: [String], environment: [String: String] = [:], timeout: TimeInterval) throws -> CommandResult? {
    let directory = try TestPaths.temporaryDirectory("bounded")
    defer { try? FileManager.default.removeItem(at: directory) }
    let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: out.path, contents: nil)
    FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: TestPaths.credmon)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    guard eventually(timeout: timeout, { !process.isRunning }) else {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return nil
    }
    return CommandResult(status: process.terminationStatus,
                         stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}

/// Files that are not what they seem (a fragment linked to /dev/zero, FIFOs where files belong, a hanging
/// condor_config_val) never hang a pass or a reload; errors name the file and the daemon serves everyone else.
@Suite("Hostile files: links, FIFOs and a hanging condor_config_val, with the real daemon")
struct HostileFilesTests {
    @Test("fragments linked to /dev/zero or that are FIFOs are refused at start and on SIGHUP; the good one serves")
    func hostileFragments() throws {
        let daemon = try DaemonProcess(label: "hostile-fragments", fragments: ["10-scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        let zero = daemon.providersDirectory.appendingPathComponent("20-zero.yaml").path
        let fifo = daemon.providersDirectory.appendingPathComponent("30-fifo.yaml").path
        try FileManager.default.createSymbolicLink(atPath: zero, withDestinationPath: "/dev/zero")
        #expect(mkfifo(fifo, 0o644) == 0)

        let check = try runBounded(["check"] + daemon.locationArguments, timeout: 30)
        #expect(check != nil, "credmon check hung")
        #expect(check?.status == 1)
        #expect(check?.stderr.contains("\(zero): cannot read the fragment: refused: it is a symbolic link, which credmon never follows; replace the link with the file itself") == true, "\(check?.stderr ?? "")")
        #expect(check?.stderr.contains("\(fifo): cannot read the fragment: refused: it is a FIFO (named pipe), not a regular file") == true, "\(check?.stderr ?? "")")

        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice")
        #expect(eventually(timeout: 15) { daemon.credd.read("alice", "scitokens.use") != nil }, "log:\n\(daemon.log)")
        #expect(daemon.log.contains("\(zero): cannot read the fragment: refused: it is a symbolic link"), "\(daemon.log)")
        #expect(daemon.log.contains("\(fifo): cannot read the fragment: refused: it is a FIFO"), "\(daemon.log)")

        daemon.send(SIGHUP)
        #expect(eventually(timeout: 15) { daemon.log.components(separatedBy: "\(fifo): cannot read the fragment").count >= 3 },
                "the reload read the fragments again; log:\n\(daemon.log)")
        try daemon.credd.storeLocalCredential(user: "bob")
        #expect(eventually(timeout: 15) { daemon.credd.read("bob", "scitokens.use") != nil }, "log:\n\(daemon.log)")
        #expect(daemon.process?.isRunning == true)
    }

    @Test("a FIFO named CREDMON_COMPLETE is reported, passes and reloads go on, everyone is served")
    func completeMarkerFIFO() throws {
        let daemon = try DaemonProcess(label: "hostile-complete", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        let marker = daemon.credentialDirectory.appendingPathComponent("CREDMON_COMPLETE").path
        #expect(mkfifo(marker, 0o644) == 0)
        try daemon.credd.storeLocalCredential(user: "alice")
        try daemon.start()
        #expect(eventually(timeout: 15) { daemon.credd.read("alice", "scitokens.use") != nil }, "log:\n\(daemon.log)")
        #expect(eventually(timeout: 15) {
            daemon.log.contains("Cannot touch CREDMON_COMPLETE") && daemon.log.contains("\(marker): refused: it is a FIFO (named pipe), not a regular file; remove it")
        }, "log:\n\(daemon.log)")

        daemon.send(SIGHUP)
        #expect(eventually(timeout: 15) { daemon.log.components(separatedBy: "Cannot touch CREDMON_COMPLETE").count >= 3 },
                "a second pass ran after SIGHUP; log:\n\(daemon.log)")
        try daemon.credd.storeLocalCredential(user: "bob")
        #expect(eventually(timeout: 15) { daemon.credd.read("bob", "scitokens.use") != nil }, "log:\n\(daemon.log)")
        #expect(daemon.process?.isRunning == true)

        // Once the FIFO is gone, the marker is a regular file again after the next pass.
        #expect(unlink(marker) == 0)
        daemon.send(SIGHUP)
        #expect(eventually(timeout: 15) {
            var st = stat()
            return lstat(marker, &st) == 0 && st.st_mode & S_IFMT == S_IFREG
        })
    }

    @Test("a FIFO as the log file: the daemon exits 44 at once, naming it (it does not wait for a reader)")
    func logFileFIFOAtStart() throws {
        let daemon = try DaemonProcess(label: "hostile-log", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        let fifo = daemon.root.appendingPathComponent("CredmonLog").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let result = try runBounded(["run"] + daemon.locationArguments + ["--log-file", fifo], timeout: 30)
        #expect(result != nil, "credmon run hung on a FIFO log file")
        #expect(result?.status == 44)
        #expect(result?.stderr.contains("cannot open the log file \(fifo): refused: it is a FIFO (named pipe), not a regular file") == true,
                "\(result?.stderr ?? "")")
    }

    @Test("a log file replaced by a FIFO: SIGHUP reports it in the file still open and the daemon goes on")
    func logFileReplacedByFIFO() throws {
        let daemon = try DaemonProcess(label: "hostile-relog", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice")
        #expect(eventually(timeout: 15) { daemon.credd.read("alice", "scitokens.use") != nil }, "log:\n\(daemon.log)")
        let moved = daemon.root.appendingPathComponent("credmon.log.1")
        #expect(rename(daemon.logFile.path, moved.path) == 0)
        #expect(mkfifo(daemon.logFile.path, 0o644) == 0)
        daemon.send(SIGHUP)
        let old = { (try? String(contentsOf: moved, encoding: .utf8)) ?? "" }
        #expect(eventually(timeout: 15) {
            old().contains("Cannot reopen the log file; logging continues to the file already open")
                && old().contains("\(daemon.logFile.path): refused: it is a FIFO")
        }, "log:\n\(old())")
        try daemon.credd.storeLocalCredential(user: "bob")
        #expect(eventually(timeout: 15) { daemon.credd.read("bob", "scitokens.use") != nil }, "log:\n\(old())")
        #expect(daemon.process?.isRunning == true)
    }

    @Test("a FIFO as the group map (with a group requirement): that credential fails naming the file; the others are served")
    func groupMapFIFO() throws {
        let root = try TestPaths.temporaryDirectory("hostile-groupmap")
        defer { try? FileManager.default.removeItem(at: root) }
        let map = root.appendingPathComponent("groups.map").path
        #expect(mkfifo(map, 0o644) == 0)
        let daemon = try DaemonProcess(label: "hostile-groups", fragments: [
            "scitokens.yaml": Fragments.local(),
            "grouped.yaml": Fragments.local(name: "grouped", extra: "group_mapfile: \(map)\ngroup_requirement: cms"),
        ])
        defer { daemon.cleanUp() }
        try daemon.credd.storeLocalCredential(user: "alice", token: "grouped")
        try daemon.start()
        #expect(eventually(timeout: 15) {
            daemon.log.contains("Renewal failed") && daemon.log.contains("\(map): refused: it is a FIFO (named pipe), not a regular file")
        }, "log:\n\(daemon.log)")
        #expect(daemon.credd.read("alice", "grouped.use") == nil, "no token without knowing the groups")
        try daemon.credd.storeLocalCredential(user: "alice")
        try daemon.credd.storeLocalCredential(user: "bob")
        #expect(eventually(timeout: 15) {
            daemon.credd.read("alice", "scitokens.use") != nil && daemon.credd.read("bob", "scitokens.use") != nil
        }, "log:\n\(daemon.log)")
        #expect(daemon.process?.isRunning == true)
    }

    @Test("a FIFO as client_secret_file: that fragment is refused naming the file; the others are served")
    func clientSecretFIFO() throws {
        let root = try TestPaths.temporaryDirectory("hostile-secret")
        defer { try? FileManager.default.removeItem(at: root) }
        let secret = root.appendingPathComponent("client_secret").path
        #expect(mkfifo(secret, 0o600) == 0)
        let daemon = try DaemonProcess(label: "hostile-secret", fragments: [
            "scitokens.yaml": Fragments.local(),
            "idp.yaml": "name: idp\nkind: oauth2\nclient_id: credmon\nclient_secret_file: \(secret)\ntoken_url: https://idp.example.org/token\n",
        ])
        defer { daemon.cleanUp() }
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice")
        #expect(eventually(timeout: 15) { daemon.credd.read("alice", "scitokens.use") != nil }, "log:\n\(daemon.log)")
        #expect(eventually(timeout: 15) {
            daemon.log.contains("Provider fragment rejected") && daemon.log.contains("\(secret): refused: it is a FIFO (named pipe), not a regular file")
        }, "log:\n\(daemon.log)")
        #expect(daemon.process?.isRunning == true)
    }

    @Test("a condor_config_val that hangs is killed after CREDMON_CONDOR_CONFIG_VAL_TIMEOUT; the error names the command")
    func hangingConfigVal() throws {
        let daemon = try DaemonProcess(label: "hostile-ccv", fragments: ["scitokens.yaml": Fragments.local()])
        defer { daemon.cleanUp() }
        let tool = daemon.root.appendingPathComponent("condor_config_val").path
        try "#!/bin/sh\nsleep 300\n".write(toFile: tool, atomically: true, encoding: .utf8)
        #expect(chmod(tool, 0o755) == 0)
        let result = try runBounded(["check"] + daemon.locationArguments,
                                    environment: ["CREDMON_CONDOR_CONFIG_VAL": tool, "CREDMON_CONDOR_CONFIG_VAL_TIMEOUT": "1"], timeout: 60)
        #expect(result != nil, "credmon check hung on condor_config_val")
        let output = (result?.stdout ?? "") + (result?.stderr ?? "")
        #expect(output.contains("\(tool) ") && output.contains("did not finish within 1 s and was killed"), "\(output)")
    }
}
