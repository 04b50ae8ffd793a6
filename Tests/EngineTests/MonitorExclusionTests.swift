import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// One credential monitor per credential directory (contract §B.3.9): the directory lock and the pid-file check.
@Suite("One credential monitor per directory", .serialized)
struct MonitorExclusionTests {
    @Test("pid file contents are parsed as condor_credd parses them", arguments: [
        ("123", 123), ("123\n", 123), (" 42 ", 42), ("0", nil), ("-5", nil), ("12a", nil), ("", nil), ("99999999999", nil), ("+7", nil),
    ] as [(String, Int32?)])
    func parsesPID(text: String, expected: Int32?) {
        #expect(MonitorExclusion.parsePID(Array(text.utf8)) == expected)
    }

    @Test("no pid file, our own pid, a dead pid and garbage: absent, ours, stale, stale")
    func staleStates() throws {
        let root = try TemporaryDirectory()
        let directory = CredentialDirectory(path: root.path)
        #expect(MonitorExclusion.inspect(directory) == .absent)
        try directory.writePID(getpid())
        #expect(MonitorExclusion.inspect(directory) == .ours)
        _ = try root.write("pid", "not a pid")
        #expect(MonitorExclusion.inspect(directory) == .stale(pid: nil, reason: "it does not hold a process id"))

        let finished = try Self.spawn("/bin/true", [])
        finished.waitUntilExit()
        _ = try root.write("pid", "\(finished.processIdentifier)")
        guard case .stale(let pid, _) = MonitorExclusion.inspect(directory) else {
            Issue.record("a finished process's pid is stale")
            return
        }
        #expect(pid == finished.processIdentifier)
    }

    @Test("a live process that is no credential monitor (sleep) is stale")
    func liveNonMonitorIsStale() throws {
        let root = try TemporaryDirectory()
        let sleeper = try Self.spawn("/bin/sleep", ["60"])
        defer { kill(sleeper.processIdentifier, SIGKILL); sleeper.waitUntilExit() }
        _ = try root.write("pid", "\(sleeper.processIdentifier)")
        #expect(MonitorExclusion.inspect(CredentialDirectory(path: root.path))
            == .stale(pid: sleeper.processIdentifier, reason: "process \(sleeper.processIdentifier) is not a credential monitor"))
        // Acquiring replaces it (after telling).
        var told: [Int32?] = []
        let exclusion = try MonitorExclusion.acquire(CredentialDirectory(path: root.path)) { pid, _ in told.append(pid) }
        #expect(told == [sleeper.processIdentifier])
        withExtendedLifetime(exclusion) {}
    }

    @Test("HTCondor's Python credmon (an interpreter running condor_credmon_oauth) in the pid file: refused, naming it")
    func pythonCredmonRefused() throws {
        let root = try TemporaryDirectory()
        let script = try root.write("condor_credmon_oauth", "import time\ntime.sleep(60)\n")
        let python = try #require(["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        })
        let credmon = try Self.spawn(python, [script])
        defer { kill(credmon.processIdentifier, SIGKILL); credmon.waitUntilExit() }
        let cd = try root.makeDirectory("cd", mode: 0o2770)
        let directory = CredentialDirectory(path: cd)
        try directory.writePID(credmon.processIdentifier)

        #expect(eventually(timeout: 10) {
            if case .running(credmon.processIdentifier, _) = MonitorExclusion.inspect(directory) { return true }
            return false
        })
        let conflict = #expect(throws: MonitorExclusion.Conflict.self) { try MonitorExclusion.acquire(directory) }
        let text = conflict?.description ?? ""
        #expect(text.contains("another credential monitor (pid \(credmon.processIdentifier)"), "\(text)")
        #expect(text.contains("condor_credmon_oauth") && text.contains(cd) && text.contains("DAEMON_LIST"), "\(text)")
        #expect((try? directory.open().readFile("pid")) == Array("\(credmon.processIdentifier)".utf8), "the pid file is left alone")
    }

    @Test("the directory lock: a second acquire is refused while the first is held, and allowed once it is released")
    func lockExcludes() throws {
        let root = try TemporaryDirectory()
        let directory = CredentialDirectory(path: root.path)
        var first: MonitorExclusion? = try MonitorExclusion.acquire(directory)
        try directory.writePID(getpid())
        let conflict = #expect(throws: MonitorExclusion.Conflict.self) { try MonitorExclusion.acquire(directory) }
        #expect(conflict?.description.contains("another credential monitor") == true, "\(String(describing: conflict))")
        withExtendedLifetime(first) {}
        first = nil
        let second = try MonitorExclusion.acquire(directory)
        withExtendedLifetime(second) {}
    }

    private static func spawn(_ path: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
