import Foundation
import Glibc

/// Watches one directory (inotify) for events on one name, e.g. `<cred-dir>/CREDMON_COMPLETE`: created (start-up,
/// first pass) or touched again (the end of a later pass). Open the watch before the event can happen.
final class MarkerWatch {
    let directory: String
    let name: String
    private let fd: Int32

    init(directory: String, name: String = "CREDMON_COMPLETE") throws {
        self.directory = directory
        self.name = name
        fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        let mask = UInt32(IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE)
        guard fd >= 0, inotify_add_watch(fd, directory, mask) >= 0 else {
            throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "cannot watch \(directory)"])
        }
    }

    deinit { close(fd) }

    /// Drops the events read so far.
    func drain() { _ = readEvents() }

    /// Waits until an event in `mask` names the marker; the instant it was read, or nil after `timeout`.
    func wait(for mask: UInt32, timeout: Duration) -> ContinuousClock.Instant? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if readEvents().contains(where: { $0 & mask != 0 }) { return ContinuousClock.now }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 50)
        }
        return nil
    }

    /// The masks of the pending events that name the marker.
    private func readEvents() -> [UInt32] {
        var masks: [UInt32] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return masks }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= count {
                let (mask, length) = buffer.withUnsafeBytes { raw -> (UInt32, Int) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.mask, Int(event.len))
                }
                let nameBytes = buffer[(offset + header)..<(offset + header + length)].prefix { $0 != 0 }
                if String(decoding: nameBytes, as: UTF8.self) == name { masks.append(mask) }
                offset += header + length
            }
        }
    }
}

/// inotify masks of the marker's events.
enum MarkerEvent {
    static let appeared = UInt32(IN_CREATE | IN_MOVED_TO)
    static let touched = UInt32(IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO)
}
