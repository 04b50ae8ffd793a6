import Glibc

/// Detached POSIX threads (Foundation's `Thread.detachNewThread`, with the name `Thread.name` gave), for the targets
/// that link FoundationEssentials only.
package enum PosixThread {
    /// Runs `body` on a new detached thread named `name` (at most 15 bytes show in `ps -L`).
    package static func detach(name: String? = nil, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<Start>.fromOpaque(raw!).takeRetainedValue()
            if let name = start.name { PosixThread.setName(name) }
            start.body()
            return nil
        }, box)
        guard started == 0 else {
            // No thread (a resource limit): rather than leave the work undone and its waiter hanging, it runs here,
            // on the caller's thread.
            Unmanaged<Start>.fromOpaque(box).takeRetainedValue().body()
            return
        }
        pthread_detach(thread)
    }

    /// Names the calling thread (`pthread_setname_np`, which Glibc's module does not export: its /proc file).
    private static func setName(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    private final class Start: @unchecked Sendable {
        let name: String?
        let body: @Sendable () -> Void
        init(name: String?, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
