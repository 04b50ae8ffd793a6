import Glibc

/// Log lines held back while one thread handles a batch of credentials, and written together when the batch ends:
/// one `write(2)` per batch instead of one per line (a first pass logs a line per token).
///
/// A log sink asks ``hold(_:for:)`` first; outside ``collecting(_:)`` (or on another thread) it is refused and the
/// sink writes the line itself. Held lines are at most a batch old (a few milliseconds) and are written before
/// `collecting` returns, also when its body throws; a process killed in between loses them.
public enum HeldLogLines {
    /// Where held lines go at the end of a batch.
    public protocol Sink: AnyObject, Sendable {
        /// Writes lines held for this sink (each already ends in a newline) in one go.
        func writeHeld(_ bytes: [UInt8])
    }

    /// Held bytes beyond which a sink's lines are written at once, batch or not.
    static let limit = 64 * 1024

    private final class Held {
        var sinks: [any Sink] = []
        var bytes: [[UInt8]] = []
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` holding the log lines this thread writes, then writes them.
    public static func collecting<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        if pthread_getspecific(key) != nil { return try body() }
        let held = Held()
        let unmanaged = Unmanaged.passRetained(held)
        pthread_setspecific(key, unmanaged.toOpaque())
        defer {
            pthread_setspecific(key, nil)
            unmanaged.release()
            for (index, sink) in held.sinks.enumerated() where !held.bytes[index].isEmpty { sink.writeHeld(held.bytes[index]) }
        }
        return try body()
    }

    /// Takes `line` (ending in a newline) for `sink` if this thread is collecting; false: write it now.
    public static func hold(_ line: [UInt8], for sink: any Sink) -> Bool {
        guard let pointer = pthread_getspecific(key) else { return false }
        let held = Unmanaged<Held>.fromOpaque(pointer).takeUnretainedValue()
        let index: Int
        if let found = held.sinks.firstIndex(where: { $0 === sink }) {
            index = found
        } else {
            held.sinks.append(sink)
            held.bytes.append([])
            index = held.sinks.count - 1
        }
        if held.bytes[index].count + line.count > limit, !held.bytes[index].isEmpty {
            sink.writeHeld(held.bytes[index])
            held.bytes[index].removeAll(keepingCapacity: true)
        }
        held.bytes[index].append(contentsOf: line)
        return true
    }
}
