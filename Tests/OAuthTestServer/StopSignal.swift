#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A one-shot "the server is stopping" flag that threads blocked in `poll` can wait on: a pipe whose read
/// end becomes (and stays) readable once `fire()` writes to it.
final class StopSignal: Sendable {
    /// The read end: poll it for `POLLIN`.
    let readFD: Int32
    private let writeFD: Int32
    private let fired = Atomic<Bool>(false)
    private let closed = Atomic<Bool>(false)

    init() throws(Socket.Failure) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw Socket.Failure(call: "pipe", code: errno) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        readFD = fds[0]
        writeFD = fds[1]
    }

    /// Whether `fire()` was called.
    var isFired: Bool { fired.load(ordering: .acquiring) }

    /// Wakes every present and future waiter. Idempotent.
    func fire() {
        guard !fired.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Sleeps for `duration`, or less if the signal fires; returns false if it fired.
    func pause(for duration: Duration) -> Bool {
        if isFired { return false }
        let deadline = ContinuousClock.now + duration
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero { return !isFired }
            let (seconds, attoseconds) = left.components
            let milliseconds = min(Int64(Int32.max), seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
            if Socket.waitReadable(-1, wake: readFD, timeoutMilliseconds: Int32(max(1, milliseconds))) == .woken {
                return false
            }
        }
    }

    /// Closes both ends; call once nobody can wait on the signal any more.
    func closeDescriptors() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Socket.close(readFD)
        Socket.close(writeFD)
    }
}
