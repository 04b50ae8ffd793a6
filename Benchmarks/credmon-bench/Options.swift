import Foundation
import Glibc

/// The command line (see main.swift).
struct Options {
    var users = [1000, 10000]
    var samples = 200
    var steadySeconds = 4
    var metrics = false
    var binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("credmon").path
    var baseDirectory = FileManager.default.temporaryDirectory.path
    /// --json PATH: the figures as JSON too ("-": standard output, after the table).
    var json: String?
    /// --python: HTCondor's Python credmon on the same files, in the same run.
    var python = false
    /// --no-strace: skip the system-call counts (on by default when strace is installed).
    var strace = true
    /// --startup-samples N: starts on an empty directory (median reported).
    var startupSamples = 11
    var pythonStartupSamples = 3
    /// --sighups N: deep passes after SIGHUP (nothing due).
    var sighups = 3
    /// --note TEXT: carried into the output (e.g. "loaded: another build running").
    var note: String?
    /// --binary-commit REV: the commit the binary under test was built from (recorded in the JSON; the bench only
    /// knows its own checkout).
    var binaryCommit: String?

    static let usage = """
    usage: credmon-bench [--users 1000,10000] [--samples N] [--steady SECONDS] [--metrics] [--binary PATH] [--dir BASE]
                         [--json PATH|-] [--python] [--python-driver PATH] [--no-strace] [--startup-samples N]
                         [--python-startup-samples N] [--sighups N] [--note TEXT] [--binary-commit REV]
           credmon-bench --oauth N [--binary PATH] [--dir BASE]
           credmon-bench --parts
           credmon-bench --scan-only DIR

    """

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--users": users = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--samples": samples = Int(iterator.next() ?? "") ?? samples
            case "--steady": steadySeconds = max(1, Int(iterator.next() ?? "") ?? steadySeconds)
            case "--metrics": metrics = true
            case "--binary": binary = iterator.next() ?? binary
            case "--dir": baseDirectory = iterator.next() ?? baseDirectory
            case "--json": json = iterator.next()
            case "--python": python = true
            case "--python-driver": PythonCredmon.driver = iterator.next() ?? PythonCredmon.driver
            case "--no-strace": strace = false
            case "--startup-samples": startupSamples = max(1, Int(iterator.next() ?? "") ?? startupSamples)
            case "--python-startup-samples": pythonStartupSamples = max(1, Int(iterator.next() ?? "") ?? pythonStartupSamples)
            case "--sighups": sighups = max(0, Int(iterator.next() ?? "") ?? sighups)
            case "--note": note = iterator.next()
            case "--binary-commit": binaryCommit = iterator.next()
            default:
                FileHandle.standardError.write(Data(Self.usage.utf8))
                exit(2)
            }
        }
    }
}
