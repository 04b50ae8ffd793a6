@testable import CondorConfig
import CredmonTestKit
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Writes an executable script with a close-on-exec descriptor (a descriptor inherited by a child that another
/// test forks at that moment would make the script "busy" to exec).
private func writeScript(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
}

/// A condor_config_val that never answers: it starts a child that holds its output open, records both PIDs, and
/// sleeps (as a tool stuck on a network file system or a lock would).
private struct HangingTool {
    let directory: TemporaryDirectory
    var path: String { directory.file("condor_config_val") }
    var pidFile: String { directory.file("pids") }

    init() throws {
        directory = try TemporaryDirectory("hanging-config-val")
        try writeScript(directory.file("condor_config_val"), """
            #!/bin/sh
            sleep 300 &
            echo "$$ $!" > \(directory.file("pids"))
            echo "partial output"
            sleep 300
            """)
    }

    /// The PIDs the tool recorded (shell, child).
    var pids: [pid_t] {
        ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").split(separator: " ")
            .compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}

@Suite("condor_config_val runs with a timeout")
struct ConfigValTimeoutTests {
    @Test("A tool that hangs is killed after the timeout, with its children; the error names the command and the knob")
    func hangingToolKilled() throws {
        let tool = try HangingTool()
        let source = ConfigValTool(path: tool.path, environment: ["PATH": "/usr/bin:/bin"], timeout: 1)
        let started = Date()
        #expect {
            try source.value("SEC_CREDENTIAL_DIRECTORY_OAUTH")
        } throws: { error in
            (error as? CondorConfigError)?.message ==
                "\(tool.path) SEC_CREDENTIAL_DIRECTORY_OAUTH (reading SEC_CREDENTIAL_DIRECTORY_OAUTH) did not finish within 1 s and was killed; "
                + "check that HTCondor's configuration does not wait on the network or a lock (run the command by hand), "
                + "or raise CREDMON_CONDOR_CONFIG_VAL_TIMEOUT"
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.9 && elapsed < 8, "took \(elapsed) s")
        let pids = tool.pids
        #expect(pids.count == 2, "the tool recorded its PIDs")
        for pid in pids {
            let deadline = Date().addingTimeInterval(10)
            while Self.isAlive(pid) && Date() < deadline { usleep(20_000) }
            #expect(!Self.isAlive(pid), "process \(pid) was killed")
        }
    }

    /// Whether `pid` runs (a zombie waiting for a reaper does not).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    @Test("A -dump that hangs names the pattern")
    func hangingDump() throws {
        let tool = try HangingTool()
        let source = ConfigValTool(path: tool.path, environment: [:], timeout: 0.5)
        #expect {
            try source.values(matching: "^CREDMON_")
        } throws: { error in
            let message = (error as? CondorConfigError)?.message ?? ""
            return message.hasPrefix("\(tool.path) -dump -expand ^CREDMON_ (listing the knobs matching ^CREDMON_) did not finish within 0.5 s")
        }
    }

    @Test("The timeout defaults to 10 s; CREDMON_CONDOR_CONFIG_VAL_TIMEOUT overrides it when it is a sensible number")
    func timeoutSetting() {
        #expect(ConfigValTool(path: "/x", environment: [:]).timeout == 10)
        #expect(ConfigValTool(path: "/x", environment: ["CREDMON_CONDOR_CONFIG_VAL_TIMEOUT": "2.5"]).timeout == 2.5)
        #expect(ConfigValTool(path: "/x", environment: ["CREDMON_CONDOR_CONFIG_VAL_TIMEOUT": "0"]).timeout == 10)
        #expect(ConfigValTool(path: "/x", environment: ["CREDMON_CONDOR_CONFIG_VAL_TIMEOUT": "soon"]).timeout == 10)
        #expect(ConfigValTool.locate(explicit: "/x", environment: ["CREDMON_CONDOR_CONFIG_VAL_TIMEOUT": "3"])?.timeout == 3)
    }

    @Test("A tool that answers quickly is unaffected: output, exit status and standard error come through")
    func quickTool() throws {
        let directory = try TemporaryDirectory("quick-config-val")
        try writeScript(directory.file("condor_config_val"), """
            #!/bin/sh
            if [ "$1" = "DEFINED" ]; then echo "  /var/lib/condor/tokens"; exit 0; fi
            echo "Not defined: $1" >&2
            exit 1
            """)
        let source = ConfigValTool(path: directory.file("condor_config_val"), environment: ["PATH": "/usr/bin:/bin"], timeout: 5)
        #expect(try source.value("DEFINED") == "/var/lib/condor/tokens")
        #expect(try source.value("UNDEFINED") == nil)
    }
}
