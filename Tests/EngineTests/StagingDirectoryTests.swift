import Foundation
import Testing
@testable import Engine
import Glibc

/// The staging directory the daemon's writes begin in: one inotify event per write in the user's directory.
@Suite("Writes staged outside the user directories")
struct StagingDirectoryTests {
    @Test("the staging directory is made 0700 in the state directory; refused on another file system, as a symlink or open to others")
    func openRules() throws {
        let root = try TemporaryDirectory("engine-staging")
        let credentials = try root.makeDirectory("creds", mode: 0o700)
        let state = try root.makeDirectory("state", mode: 0o700)
        let staging = try #require(StagingDirectory.open(stateDirectory: state, credentialDirectory: credentials))
        var st = stat()
        #expect(fstat(staging.descriptor, &st) == 0 && st.st_mode & 0o777 == 0o700)
        #expect(staging.path == state + "/" + StagingDirectory.name)

        // Another file system (tmpfs) than the credential directory's: a rename between them would fail.
        let elsewhere = try #require(OtherFileSystem.directory(differingFrom: credentials))
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        #expect(StagingDirectory.open(stateDirectory: elsewhere, credentialDirectory: credentials) == nil)

        #expect(chmod(state + "/" + StagingDirectory.name, 0o750) == 0)
        #expect(StagingDirectory.open(stateDirectory: state, credentialDirectory: credentials) == nil)

        let linked = try root.makeDirectory("linked", mode: 0o700)
        #expect(symlink(try root.makeDirectory("target", mode: 0o700), linked + "/" + StagingDirectory.name) == 0)
        #expect(StagingDirectory.open(stateDirectory: linked, credentialDirectory: credentials) == nil)
    }

    @Test("a staged write raises one event in the target's directory (its arrival), where a write beside it raises four")
    func oneEventPerStagedWrite() throws {
        let root = try TemporaryDirectory("engine-staging-events")
        let user = try DirectoryHandle.open(path: try root.makeDirectory("creds/alice", mode: 0o700))
        let staging = try #require(StagingDirectory.open(stateDirectory: try root.makeDirectory("state", mode: 0o700),
                                                         credentialDirectory: root.file("creds")))
        let events = try RawInotify(watching: user.path)
        try AtomicWriter.write(Array("token one".utf8), to: "svc.use", in: user, staging: staging, durability: .atomic)
        let staged = try #require(events.readAll())
        #expect(staged.map(\.name) == ["svc.use"], "\(staged)")
        #expect(staged.first.map { $0.mask & UInt32(IN_MOVED_TO) != 0 } == true, "\(staged)")
        try AtomicWriter.write(Array("token two".utf8), to: "svc.use", in: user, durability: .atomic)
        let beside = try #require(events.readAll())
        #expect(beside.count == 4, "\(beside)")
        #expect(try String(contentsOfFile: user.childPath("svc.use"), encoding: .utf8) == "token two")
        var st = stat()
        #expect(lstat(user.childPath("svc.use"), &st) == 0 && st.st_mode & 0o777 == 0o400)
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: user.path) == ["svc.use"])
    }

    @Test("a staged write whose rename fails with EXDEV starts over beside its target; nothing is left in either")
    func crossDeviceFallsBack() throws {
        let root = try TemporaryDirectory("engine-staging-exdev")
        let user = try DirectoryHandle.open(path: try root.makeDirectory("alice", mode: 0o700))
        let elsewhere = try #require(OtherFileSystem.directory(differingFrom: root.path))
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        let staging = try DirectoryHandle.open(path: elsewhere)
        try AtomicWriter.write(Array("seed".utf8), to: "svc.top", in: user, staging: staging, mode: 0o400, durability: .durable)
        #expect(try String(contentsOfFile: user.childPath("svc.top"), encoding: .utf8) == "seed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: user.path) == ["svc.top"])
    }

    @Test("The monitor stages its writes: a first pass raises only the .use's arrival in the user's directory; an abandoned staged file goes at start")
    func monitorStagesWrites() async throws {
        let stateRoot = try TemporaryDirectory("engine-staging-state")
        let state = try stateRoot.makeDirectory("state", mode: 0o700)
        let leftover = try stateRoot.write("state/\(StagingDirectory.name)/\(AtomicWriter.temporaryPrefix)svc.use.k9", "half")
        #expect(chmod(state + "/" + StagingDirectory.name, 0o700) == 0)
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) {
            $0.watchFiles = false
            $0.stateDirectory = state
        }
        try harness.writeSeed("alice", "svc")
        let events = try RawInotify(watching: harness.path("alice"))
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            #expect(harness.exists("alice/svc.use"))
            let seen = try #require(events.readAll())
            #expect(seen.map(\.name) == ["svc.use"], "\(seen)")
            #expect(!FileManager.default.fileExists(atPath: leftover), "the abandoned staged file is removed at start")
            #expect(try FileManager.default.contentsOfDirectory(atPath: state + "/" + StagingDirectory.name).isEmpty)
        }
    }
}

/// A directory on another file system than a given path's (tmpfs at /dev/shm on these machines), made for a test.
enum OtherFileSystem {
    static func directory(differingFrom path: String) -> String? {
        var reference = stat()
        guard stat(path, &reference) == 0 else { return nil }
        for base in ["/dev/shm", "/run", "/tmp"] {
            var candidate = stat()
            guard stat(base, &candidate) == 0, candidate.st_dev != reference.st_dev else { continue }
            let directory = base + "/credmon-other-fs-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            if mkdir(directory, 0o700) == 0 { return directory }
        }
        return nil
    }
}

/// An inotify instance watching one directory for everything the daemon's watcher asks for, read without waiting.
final class RawInotify {
    struct Event: CustomStringConvertible {
        var mask: UInt32
        var name: String
        var description: String { "\(name) (0x\(String(mask, radix: 16)))" }
    }

    private let fd: Int32

    init(watching path: String) throws {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE)
        guard fd >= 0, inotify_add_watch(fd, path, mask) >= 0 else { throw POSIXError(.EIO) }
    }

    deinit { close(fd) }

    /// The events queued so far (nil when the read failed).
    func readAll() -> [Event]? {
        var events: [Event] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 { return errno == EAGAIN ? events : nil }
            if count == 0 { return events }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let mask = raw.load(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(raw.load(fromByteOffset: offset + 12, as: UInt32.self))
                    let start = offset + MemoryLayout<inotify_event>.size
                    let name = String(decoding: raw[start..<(start + length)].prefix { $0 != 0 }, as: UTF8.self)
                    events.append(Event(mask: mask, name: name))
                    offset = start + length
                }
            }
        }
    }
}
