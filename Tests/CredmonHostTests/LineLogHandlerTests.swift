@testable import CredmonHost
import Foundation
import Logging
import Testing

/// The daemon's log lines: time, level, message, then the handler's and the message's metadata by key, values with a
/// space or a quote quoted, control characters escaped.
@Suite("Log lines: one per message, metadata sorted, values quoted and escaped")
struct LineLogHandlerTests {
    private static func lines(_ body: (Logger) -> Void) throws -> [String] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("credmon-log-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("credmon.log").path
        let destination = try LogDestination(path: path, alsoStderr: false)
        var logger = Logger(label: "test") { LineLogHandler(label: $0, destination: destination, level: .trace) }
        logger[metadataKey: "credmon.user"] = "alice"
        logger[metadataKey: "credmon.token"] = "scitokens"
        body(logger)
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test("a line: UTC time to the millisecond, the level in capitals, the message, every key=value by key")
    func format() throws {
        let lines = try Self.lines { logger in
            logger.info("Issued access token", metadata: ["credmon.provider": "scitokens", "credmon.expires": "1796412550"])
            logger.warning("Odd values", metadata: [
                "credmon.user": "bob",  // the message's value wins over the handler's
                "spaced": "a b", "quoted": "say \"hi\"", "empty": "", "number": .stringConvertible(42),
                "list": .array(["x", "y"]), "control": "line\nbreak",
            ])
            logger.critical("Message with\na newline")
        }
        #expect(lines.count == 4 && lines[3].isEmpty, "three lines, each ended by a newline: \(lines)")
        let time = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /#
        for line in lines.prefix(3) { #expect(line.prefixMatch(of: time) != nil, "\(line)") }
        let bodies = lines.prefix(3).map { String($0.dropFirst(25)) }
        #expect(bodies[0] == "INFO Issued access token credmon.expires=1796412550 credmon.provider=scitokens credmon.token=scitokens credmon.user=alice")
        #expect(bodies[1] == #"WARNING Odd values control=line\nbreak credmon.token=scitokens credmon.user=bob empty="" list="[\"x\", \"y\"]" number=42 quoted="say \"hi\"" spaced="a b""#)
        #expect(bodies[2] == #"CRITICAL Message with\na newline credmon.token=scitokens credmon.user=alice"#)
    }

    @Test("every level is written under its name")
    func levels() throws {
        let lines = try Self.lines { logger in
            for level in Logger.Level.allCases { logger.log(level: level, "at \(level)") }
        }
        let names = lines.filter { !$0.isEmpty }.map { $0.split(separator: " ")[1] }
        #expect(names == ["TRACE", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL"])
    }
}
