import FoundationEssentials
import Glibc
import ServiceLifecycle

/// What the watcher saw.
public enum WatchEvent: Sendable, Equatable {
    /// A `.top`, `.use` or `.meta` file of a user changed (created, replaced, written) or, with `removed`, went away.
    case credentialFile(user: String, stem: String, file: CredentialFile, removed: Bool = false)
    /// A user directory appeared at the top level.
    case userAppeared(String)
    /// A user directory went away.
    case userRemoved(String)
    /// The kernel dropped events (queue overflow) or a watch could not be added: rescan everything.
    case rescanNeeded
}

/// Which file of a credential an event is about.
public enum CredentialFile: String, Sendable, Equatable {
    case seed = ".top"
    case access = ".use"
    case metadata = ".meta"
}

/// Watches the credential directory and every user directory with inotify, on a thread of its own.
/// Events arrive in batches (one `read(2)` worth) on ``events``.
///
/// A service: ``run()`` reads events until cancelled or ``stop()``ped; ``shutdown()`` stops it and waits for its
/// thread to end. The monitor owns one and shuts it down when it stops.
public final class DirectoryWatcher: Service, @unchecked Sendable {
    public let events: AsyncStream<[WatchEvent]>
    private let continuation: AsyncStream<[WatchEvent]>.Continuation
    private let root: String
    private let inotifyFD: Int32
    private(set) var wakePipe: [Int32] = [-1, -1]
    private let lock = PosixLock()
    private var userByWatch: [Int32: String] = [:]
    private var watchByUser: [String: Int32] = [:]
    private var rootWatch: Int32 = -1
    private var threadStarted = false
    private var threadEnded = false
    private var endWaiters: [CheckedContinuation<Void, Never>] = []
    /// Set when the kernel refused a watch (fs.inotify.max_user_watches).
    public private(set) var watchLimitReached = false

    /// How long the events that follow others gather before they are read (see ``readLoop()``).
    static let gatheringMilliseconds: Int32 = 1

    private static let userMask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE
        | IN_DELETE_SELF | IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_ONLYDIR)
    private static let rootMask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DONT_FOLLOW | IN_ONLYDIR)

    /// Creates the inotify instance and watches `root`.
    public init(root: String) throws(SystemError) {
        self.root = root
        (events, continuation) = AsyncStream.makeStream(of: [WatchEvent].self, bufferingPolicy: .unbounded)
        inotifyFD = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard inotifyFD >= 0 else { throw SystemError("inotify_init1", path: root) }
        guard pipe(&wakePipe) == 0 else { throw SystemError("pipe", path: root) }
        // Close-on-exec, as every other descriptor of the daemon: a notification command or condor_config_val
        // spawned meanwhile must not hold the watcher's wake-up pipe.
        for fd in wakePipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        rootWatch = inotify_add_watch(inotifyFD, root, Self.rootMask)
        guard rootWatch >= 0 else { throw SystemError("inotify_add_watch", path: root) }
    }

    deinit {
        close(inotifyFD)
        close(wakePipe[0])
        close(wakePipe[1])
    }

    /// Watches a user directory (idempotent). Returns false when the kernel refused (watch limit).
    @discardableResult
    public func watchUser(_ user: String) -> Bool {
        // The watch is added and recorded under the lock: an event the reading thread gets for it at once waits for
        // the record instead of being dropped as an unknown watch.
        lock.withLock {
            let wd = inotify_add_watch(inotifyFD, root + "/" + user, Self.userMask)
            if wd < 0 {
                if errno == ENOSPC { watchLimitReached = true }
                return false
            }
            userByWatch[wd] = user
            watchByUser[user] = wd
            return true
        }
    }

    /// Watches each of `users` that is not watched yet, under one lock; returns those it added. Stops at the
    /// watch limit (the rest would fail the same way).
    public func watchUsers(_ users: some Collection<String>) -> [String] {
        lock.withLock {
            var added: [String] = []
            for user in users where watchByUser[user] == nil {
                let wd = inotify_add_watch(inotifyFD, root + "/" + user, Self.userMask)
                if wd < 0 {
                    if errno == ENOSPC {
                        watchLimitReached = true
                        break
                    }
                    continue
                }
                userByWatch[wd] = user
                watchByUser[user] = wd
                added.append(user)
            }
            return added
        }
    }

    /// Whether the watcher reports every change: its thread reads events, and no watch was refused. (A queue
    /// overflow is reported as ``WatchEvent/rescanNeeded``.)
    public var isComplete: Bool {
        lock.withLock { threadStarted && !threadEnded && !watchLimitReached }
    }

    /// Whether a user directory is watched.
    public func isWatching(_ user: String) -> Bool { lock.withLock { watchByUser[user] != nil } }

    /// Number of user directories watched.
    public var watchedUsers: Int { lock.withLock { watchByUser.count } }

    /// Starts the reading thread (once).
    public func start() {
        let first = lock.withLock { () -> Bool in
            guard !threadStarted else { return false }
            threadStarted = true
            return true
        }
        guard first else { return }
        PosixThread.detach(name: "credmon-inotify") { [self] in
            self.readLoop()
            self.threadDidEnd()
        }
    }

    /// Reads events until the task is cancelled or the watcher is stopped; then waits for the thread to end.
    public func run() async {
        start()
        await withTaskCancellationHandler {
            await ended()
        } onCancel: {
            stop()
        }
    }

    /// Stops the reading thread and waits for it to end (at once if it never started).
    public func shutdown() async {
        stop()
        await ended()
    }

    private func ended() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = lock.withLock { () -> Bool in
                if !threadStarted || threadEnded { return true }
                endWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func threadDidEnd() {
        let waiters = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            threadEnded = true
            defer { endWaiters.removeAll() }
            return endWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Stops the reading thread and finishes ``events``.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(wakePipe[1], &byte, 1)
    }

    /// Waits for events and reads them at once; while more follow (a pass writing thousands of `.use` files raises
    /// four events each), it reads them in windows of ``gatheringMilliseconds``: one read and one hand-over take a
    /// window's worth instead of a few events each. A window that brings none returns to waiting, so an event after
    /// a quiet spell is read without delay.
    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var fds = [pollfd(fd: inotifyFD, events: Int16(POLLIN), revents: 0), pollfd(fd: wakePipe[0], events: Int16(POLLIN), revents: 0)]
        var wake = [fds[1]]
        waiting: while true {
            fds[0].revents = 0
            fds[1].revents = 0
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[1].revents != 0 { break }
            while true {
                let n = buffer.withUnsafeMutableBytes { read(inotifyFD, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { continue waiting }
                var batch: [WatchEvent] = []
                buffer.withUnsafeBytes { parse($0, count: n, into: &batch) }
                if !batch.isEmpty { continuation.yield(batch) }
                // The window for what follows: read at most this much later, unless stopped.
                if poll(&wake, 1, Self.gatheringMilliseconds) > 0 { break waiting }
            }
        }
        continuation.finish()
    }

    private func parse(_ raw: UnsafeRawBufferPointer, count: Int, into batch: inout [WatchEvent]) {
        var offset = 0
        let headerSize = MemoryLayout<inotify_event>.size
        while offset + headerSize <= count {
            let wd = raw.load(fromByteOffset: offset, as: Int32.self)
            let mask = raw.load(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(raw.load(fromByteOffset: offset + 12, as: UInt32.self))
            guard offset + headerSize + length <= count else { break }
            let nameBytes = UnsafeRawBufferPointer(rebasing: raw[(offset + headerSize)..<(offset + headerSize + length)])
            offset += headerSize + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                batch.append(.rescanNeeded)
                continue
            }
            // Credmon's own temporary files in user directories (three of the four events of every `.use` it writes):
            // passed over on their bytes, before a string or the lock.
            if wd != rootWatch && Self.isTemporaryName(nameBytes) { continue }
            var name = ""
            if length > 0 {
                name = String(cString: nameBytes.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if wd == rootWatch {
                guard !name.isEmpty, mask & UInt32(IN_ISDIR) != 0 || mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 else { continue }
                if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                    batch.append(.userAppeared(name))
                } else if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
                    forget(user: name)
                    batch.append(.userRemoved(name))
                }
                continue
            }
            guard let user = lock.withLock({ userByWatch[wd] }) else { continue }
            if mask & UInt32(IN_IGNORED) != 0 {
                lock.withLock {
                    userByWatch[wd] = nil
                    if watchByUser[user] == wd { watchByUser[user] = nil }
                }
                continue
            }
            if mask & UInt32(IN_DELETE_SELF) != 0 {
                batch.append(.userRemoved(user))
                continue
            }
            let removed = mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0
            for file in [CredentialFile.seed, .access, .metadata] where name.hasSuffix(file.rawValue) {
                batch.append(.credentialFile(user: user, stem: String(name.dropLast(file.rawValue.count)), file: file, removed: removed))
            }
        }
    }

    private static let temporaryPrefixBytes = Array(AtomicWriter.temporaryPrefix.utf8)

    /// Whether an event's name (NUL-padded, as the kernel gives it) starts with ``AtomicWriter/temporaryPrefix``.
    static func isTemporaryName(_ name: UnsafeRawBufferPointer) -> Bool {
        let prefix = temporaryPrefixBytes
        guard name.count >= prefix.count else { return false }
        for index in prefix.indices where name[index] != prefix[index] { return false }
        return true
    }

    private func forget(user: String) {
        lock.withLock {
            if let wd = watchByUser.removeValue(forKey: user) {
                userByWatch[wd] = nil
                inotify_rm_watch(inotifyFD, wd)
            }
        }
    }
}
