import Glibc

/// The process's file-creation mask, read once from `/proc/self/status` (`Umask:`, Linux 4.7 and later) without
/// changing it: `umask(2)` can only be read by setting it, which would race with other threads creating files.
/// When it cannot be read, the strictest assumption (every bit masked) makes writers chmod explicitly.
enum ProcessUmask {
    static let value: mode_t = read() ?? 0o777

    private static func read() -> mode_t? {
        guard let contents = try? SafeFile.read(path: "/proc/self/status", limit: 64 * 1024) else { return nil }
        let text = String(decoding: contents.bytes, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix("Umask:") {
            let digits = line.dropFirst("Umask:".count).drop { $0 == " " || $0 == "\t" }
            return mode_t(digits, radix: 8)
        }
        return nil
    }
}
