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
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = Self.timestamp() + " " + event.level.rawValue.uppercased() + " " + Self.escaped(event.message.description)
        for key in merged.keys.sorted() {
            let value = Self.escaped("\(merged[key]!)")
            line += " " + Self.escaped(key) + "="
            if value.isEmpty || value.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\"") }) {
                line += "\"" + Self.quoted(value) + "\""
            } else {
                line += value
            }
        }
        destination.write(line)
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

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        // Not gmtime_r: glibc's takes the time-zone lock, which threads logging at once then contend for.
        let seconds = Int(now.tv_sec)
        let secondOfDay = (seconds % 86_400 + 86_400) % 86_400
        let date = CivilDate.date(daysSinceEpoch: (seconds - secondOfDay) / 86_400)
        var text: [UInt8] = []
        text.reserveCapacity(24)
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
        return String(decoding: text, as: UTF8.self)
    }
}
