import Engine
import FoundationEssentials
import Glibc
import Logging

/// A swift-log handler writing one line per message: time, level, message, then `key=value` metadata.
public struct LineLogHandler: LogHandler {
    /// The shared level (``LogLevelControl``), unless this handler's own level was set.
    public var logLevel: Logger.Level {
        get { ownLevel ?? control.level }
        set { ownLevel = newValue }
    }
    public var metadata: Logger.Metadata = [:]
    private let destination: LogDestination
    private let label: String
    private let control: LogLevelControl
    private var ownLevel: Logger.Level?

    public init(label: String, destination: LogDestination, level: Logger.Level) {
        self.init(label: label, destination: destination, control: LogLevelControl(level))
    }

    /// A handler whose level follows `control` (changed at run time, e.g. on SIGHUP).
    public init(label: String, destination: LogDestination, control: LogLevelControl) {
        self.label = label
        self.destination = destination
        self.control = control
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // Built as bytes in one buffer: no merged dictionary, no string grown piece by piece (a first pass logs a line
        // per token).
        var line: [UInt8] = []
        line.reserveCapacity(192)
        Self.appendTimestamp(to: &line)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: Self.levelName(event.level).utf8)
        line.append(UInt8(ascii: " "))
        line.append(contentsOf: Self.escaped(event.message.description).utf8)
        for (key, value) in Self.sortedMetadata(metadata, event.metadata) {
            let text = Self.escaped(Self.text(of: value))
            line.append(UInt8(ascii: " "))
            line.append(contentsOf: Self.escaped(key).utf8)
            line.append(UInt8(ascii: "="))
            if text.isEmpty || text.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\"") }) {
                line.append(UInt8(ascii: "\""))
                line.append(contentsOf: Self.quoted(text).utf8)
                line.append(UInt8(ascii: "\""))
            } else {
                line.append(contentsOf: text.utf8)
            }
        }
        destination.write(line: line)
    }

    /// The handler's metadata and the message's (which wins for a key in both), by key.
    static func sortedMetadata(_ own: Logger.Metadata, _ extra: Logger.Metadata?) -> [(key: String, value: Logger.MetadataValue)] {
        var pairs: [(key: String, value: Logger.MetadataValue)] = []
        pairs.reserveCapacity(own.count + (extra?.count ?? 0))
        if let extra {
            for pair in own where extra[pair.key] == nil { pairs.append(pair) }
            for pair in extra { pairs.append(pair) }
        } else {
            for pair in own { pairs.append(pair) }
        }
        pairs.sort { $0.key < $1.key }
        return pairs
    }

    /// A metadata value as text (a string as it is, without the interpolation's round trip).
    static func text(of value: Logger.MetadataValue) -> String {
        if case .string(let string) = value { return string }
        return value.description
    }

    /// The level in capitals, as logged.
    static func levelName(_ level: Logger.Level) -> String {
        switch level {
        case .trace: "TRACE"
        case .debug: "DEBUG"
        case .info: "INFO"
        case .notice: "NOTICE"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    /// `"` written as `\"` (the value is then put between quotes).
    static func quoted(_ value: String) -> String {
        guard value.utf8.contains(UInt8(ascii: "\"")) else { return value }
        var result = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if scalar == "\"" { result.append("\\") }
            result.append(scalar)
        }
        return String(result)
    }

    /// Control characters (newlines, terminal escapes) written as escapes: a value from outside — an IdP's error
    /// description, a file name — can never forge a log line or reach root's terminal raw.
    static func escaped(_ text: String) -> String {
        SafeText.isPrintable(text) ? text : SafeText.printable(text)
    }

    /// The time now as `2026-12-04T19:09:10.410Z` (UTC, milliseconds).
    private static func appendTimestamp(to text: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        // Not gmtime_r: glibc's takes the time-zone lock, which threads logging at once then contend for.
        let seconds = Int(now.tv_sec)
        let secondOfDay = (seconds % 86_400 + 86_400) % 86_400
        let date = CivilDate.date(daysSinceEpoch: (seconds - secondOfDay) / 86_400)
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            var remainder = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(remainder / divisor % 10))
                remainder %= divisor
                divisor /= 10
            }
        }
        digits(date.year, 4); text.append(UInt8(ascii: "-"))
        digits(date.month, 2); text.append(UInt8(ascii: "-"))
        digits(date.day, 2); text.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2); text.append(UInt8(ascii: ":"))
        digits(secondOfDay / 60 % 60, 2); text.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2); text.append(UInt8(ascii: "."))
        digits(Int(now.tv_nsec / 1_000_000), 3); text.append(UInt8(ascii: "Z"))
    }
}
