import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs an external command (openssl, python3) for the tests' independent checks, with `posix_spawn(2)`.
///
/// Not Foundation's `Process`: on Linux its `run()` lists `/proc/self/fd` and copies each entry's whole 256-byte
/// name, reading past glibc's directory buffer when that buffer is full (swift-corelibs-foundation #5472). A test
/// process with ~1,500 descriptors open (the unit suite's test servers and clients in parallel) crashed there.
public enum SpawnedCommand {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: Data
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `arguments` (the first is looked up on PATH) in `directory`, feeding `input` on standard input; kills it
    /// after `timeout` seconds. The exit status is the command's, or 128 + the signal that ended it.
    public static func run(_ arguments: [String], input: Data? = nil, in directory: String? = nil,
                           timeout: TimeInterval = 120) throws -> Result {
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        guard makePipe(&stdinPipe), makePipe(&stdoutPipe), makePipe(&stderrPipe) else {
            for fd in stdinPipe + stdoutPipe + stderrPipe where fd >= 0 { close(fd) }
            throw Failure(description: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        // GNU env changes directory itself (-C), so no chdir in this multi-threaded process.
        let command = ["/usr/bin/env"] + (directory.map { ["-C", $0] } ?? []) + arguments
        let argv = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, environ)
        for fd in [stdinPipe[0], stdoutPipe[1], stderrPipe[1]] { close(fd) }
        guard spawned == 0 else {
            for fd in [stdinPipe[1], stdoutPipe[0], stderrPipe[0]] { close(fd) }
            throw Failure(description: "posix_spawn \(arguments.first ?? ""): \(String(cString: strerror(spawned)))")
        }
        let (output, errors, timedOut) = exchange(input: input ?? Data(), stdin: stdinPipe[1], stdout: stdoutPipe[0],
                                                  stderr: stderrPipe[0], deadline: Date().addingTimeInterval(timeout))
        if timedOut { kill(pid, SIGKILL) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if timedOut { throw Failure(description: "\(arguments.joined(separator: " ")): no exit within \(timeout) s; killed") }
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: code, stdout: output, stderr: errors)
    }

    /// `pipe(2)` with both ends close-on-exec (the child gets its copies through `dup2`). Swift's Glibc does not
    /// declare `pipe2`; a command spawned by another thread in between could inherit an end for its short life.
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// Writes `input` and reads both outputs until they close (or the deadline), whichever order the child uses them
    /// in; closes the three descriptors.
    private static func exchange(input: Data, stdin: Int32, stdout: Int32, stderr: Int32,
                                 deadline: Date) -> (Data, Data, timedOut: Bool) {
        // A child that exits without reading its input makes the write fail with EPIPE: SIGPIPE is held on this
        // thread meanwhile (and dropped if it came), so that it cannot end the test process.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        var previousMask = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previousMask)
        defer {
            var pending = sigset_t()
            sigpending(&pending)
            if sigismember(&pending, SIGPIPE) == 1 {
                var now = timespec()
                _ = sigtimedwait(&pipeSignal, nil, &now)
            }
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
        }
        var output = Data(), errors = Data()
        var writeFD = stdin, written = 0
        var open: [Int32] = [stdout, stderr]
        let pending = [UInt8](input)
        if pending.isEmpty {
            close(writeFD)
            writeFD = -1
        } else {
            _ = fcntl(writeFD, F_SETFL, fcntl(writeFD, F_GETFL) | O_NONBLOCK)
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty || writeFD >= 0 {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 {
                for fd in open + (writeFD >= 0 ? [writeFD] : []) { close(fd) }
                return (output, errors, true)
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if writeFD >= 0 { fds.append(pollfd(fd: writeFD, events: Int16(POLLOUT), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, 1) * 1000))
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                if entry.fd == writeFD {
                    let count = pending[written...].withUnsafeBytes { write(writeFD, $0.baseAddress, $0.count) }
                    if count > 0 { written += count }
                    if written >= pending.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
                        close(writeFD)
                        writeFD = -1
                    }
                } else {
                    let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                    if count > 0 {
                        if entry.fd == stdout { output.append(contentsOf: buffer[..<count]) } else { errors.append(contentsOf: buffer[..<count]) }
                    } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                        close(entry.fd)
                        open.removeAll { $0 == entry.fd }
                    }
                }
            }
        }
        for fd in open + (writeFD >= 0 ? [writeFD] : []) { close(fd) }
        return (output, errors, false)
    }
}
