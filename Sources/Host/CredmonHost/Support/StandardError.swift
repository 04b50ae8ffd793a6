import Glibc

/// The process's standard error as a `TextOutputStream` (what `FileHandle.standardError` was, without Foundation):
/// `print(…, to: &standardError)`, or ``write(_:)`` once.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { Self.write(string) }

    /// Writes all of `text` to file descriptor 2 (retrying short writes and interruptions).
    static func write(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
