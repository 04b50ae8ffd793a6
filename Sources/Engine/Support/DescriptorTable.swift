import Glibc

/// The process's table of file descriptors, grown once while the process has a single thread.
///
/// The kernel grows the table as descriptors are opened, doubling it each time; in a process with threads each
/// growth waits for an RCU grace period (`synchronize_rcu`, 8–25 ms on this project's VM) with the thread that opened
/// the descriptor stopped. The first pass keeps about three rounds of user directories open (see
/// ``DirectoryScanner``), so the table grew twice in every first pass of 10,000 users: once when the first round
/// reserved its descriptors (15 ms in which nothing else ran: the workers had nothing queued yet) and once more past
/// 2,048. Grown before the first thread starts, it waits for nothing.
public enum DescriptorTable {
    /// Descriptors the table is grown to hold at start: three default rounds (1,024 directories each) and 512 for
    /// everything else. The kernel memory it takes is 4,096 pointers and two bitmaps (about 33 KiB); none of it is
    /// the process's own memory.
    public static let startingCapacity = 4096

    /// Grows the table to hold `capacity` descriptors (at most the soft limit on open files allows) by duplicating
    /// a descriptor to the highest number and closing the copy. Call it first thing in `main`, before any thread
    /// (the Swift concurrency runtime's included) starts; later it still works, but waits as any growth does.
    /// Returns the size the table was grown to hold, or nil when it was not (no descriptor to copy, a limit).
    @discardableResult
    public static func grow(toHold capacity: Int = startingCapacity) -> Int? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        let soft = Int(clamping: limit.rlim_cur)
        let highest = min(capacity, soft) - 1
        guard highest > 2 else { return nil }
        // Any open descriptor serves as the original; "/" is there in every mount namespace.
        let original = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard original >= 0 else { return nil }
        defer { close(original) }
        let copy = fcntl(original, F_DUPFD_CLOEXEC, Int32(clamping: highest))
        guard copy >= 0 else { return nil }
        close(copy)
        return highest + 1
    }
}
