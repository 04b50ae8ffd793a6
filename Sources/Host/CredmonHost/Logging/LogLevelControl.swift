import Engine
import FoundationEssentials
import Logging

/// The daemon's log level, shared by every ``LineLogHandler`` made with it, so that a SIGHUP that changes
/// `<NAME>_DEBUG` changes what every logger writes.
public final class LogLevelControl: @unchecked Sendable {
    private let lock = PosixLock()
    private var current: Logger.Level

    public init(_ level: Logger.Level) { current = level }

    /// The level in force.
    public var level: Logger.Level {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    /// The level for a `-d` flag and `<NAME>_DEBUG` flags: debug when either asks for it, else info.
    public static func level(debugFlag: Bool, debugFlags: String?) -> Logger.Level {
        debugFlag || DebugFlags.selectsDebug(debugFlags) ? .debug : .info
    }
}
