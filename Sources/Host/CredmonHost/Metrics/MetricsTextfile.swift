import Engine
import FoundationEssentials
import Logging
import Synchronization

/// Writes the exposition to a file for node_exporter's textfile collector: a temporary file in the same directory
/// (its name starts with a dot and does not end in `.prom`, so the collector never reads it half-written), mode 0644,
/// renamed over the target.
struct MetricsTextfile: Sendable {
    let directory: String
    let name: String

    init(path: String) {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let url = URL(fileURLWithPath: absolute)
        directory = url.deletingLastPathComponent().path
        name = url.lastPathComponent
    }

    var path: String { directory + "/" + name }

    func write(_ bytes: [UInt8]) throws(SystemError) {
        let handle = try DirectoryHandle.open(path: directory)
        try AtomicWriter.write(bytes, to: name, in: handle, mode: 0o644, durability: .atomic)
    }
}

/// Writes the textfile after every pass (``Monitor``'s pass-complete callback); a failure is logged when it first
/// happens and when it changes, not on every pass.
final class MetricsTextfileWriter: Sendable {
    private let file: MetricsTextfile
    private let exporter: MetricsExporter
    private let logger: Logger
    /// The last write's problem (nil: it worked); nil before the first write.
    private let lastProblem = Mutex<String??>(nil)

    init(path: String, exporter: MetricsExporter, logger: Logger) {
        self.file = MetricsTextfile(path: path)
        self.exporter = exporter
        self.logger = logger
    }

    func passCompleted() {
        let problem: String?
        do {
            try file.write(exporter.exposition())
            problem = nil
        } catch {
            problem = "\(error)"
        }
        let changed = lastProblem.withLock { last in
            defer { last = problem }
            return last != .some(problem)
        }
        guard changed else { return }
        if let problem {
            logger.error("Cannot write the metrics textfile", metadata: ["credmon.path": "\(file.path)", "credmon.error": "\(problem)"])
        } else {
            logger.info("Writing the metrics textfile after every pass", metadata: ["credmon.path": "\(file.path)"])
        }
    }
}
