import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

@Suite("Atomic writes")
struct AtomicWriterTests {
    private func temporaryNames(in directory: TemporaryDirectory) -> [String] {
        directory.names().filter { $0.hasPrefix(".credmon-tmp.") }
    }

    @Test("The file gets the content and mode 0400 by default, for both durabilities", arguments: [Durability.durable, .atomic])
    func defaultMode(durability: Durability) throws {
        let directory = try TemporaryDirectory()
        let handle = try DirectoryHandle.open(path: directory.path)
        try AtomicWriter.write(Array(#"{"access_token": "t"}"#.utf8), to: "svc.use", in: handle, durability: durability)
        #expect(directory.text("svc.use") == #"{"access_token": "t"}"#)
        #expect(Files.mode(directory.file("svc.use")) == 0o400)
        #expect(directory.names() == ["svc.use"], "no temporary file is left")
    }

    @Test("A custom mode is applied exactly, whatever the umask")
    func customMode() throws {
        let directory = try TemporaryDirectory()
        let handle = try DirectoryHandle.open(path: directory.path)
        try AtomicWriter.write(Array("x".utf8), to: "a", in: handle, mode: 0o640, durability: .atomic)
        try AtomicWriter.write(Array("y".utf8), to: "b", in: handle, mode: 0o666, durability: .durable)
        #expect(Files.mode(directory.file("a")) == 0o640)
        #expect(Files.mode(directory.file("b")) == 0o666)
    }

    @Test("Replacing a file swaps it in whole: new content, new inode, old mode gone")
    func replaces() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("svc.top", String(repeating: "old ", count: 1000))
        #expect(chmod(path, 0o644) == 0)
        let before = try #require(try FileStatus.of(path: path))
        let handle = try DirectoryHandle.open(path: directory.path)
        try AtomicWriter.write(Array("new".utf8), to: "svc.top", in: handle, durability: .durable)
        let after = try #require(try FileStatus.of(path: path))
        #expect(directory.text("svc.top") == "new")
        #expect(after.inode != before.inode, "written beside and renamed, not truncated in place")
        #expect(after.mode == 0o400)
        #expect(temporaryNames(in: directory).isEmpty)
    }

    @Test("Empty content makes an empty file")
    func emptyContent() throws {
        let directory = try TemporaryDirectory()
        let handle = try DirectoryHandle.open(path: directory.path)
        try AtomicWriter.write([UInt8](), to: "empty", in: handle, durability: .atomic)
        #expect(directory.text("empty") == "")
    }

    @Test("A failed write throws, names the target and leaves no temporary file", arguments: [Durability.durable, .atomic])
    func failureLeavesNoTemporary(durability: Durability) throws {
        let directory = try TemporaryDirectory()
        try directory.makeDirectory("svc.use")
        try directory.write("svc.use/inside", "keep")
        let handle = try DirectoryHandle.open(path: directory.path)
        let error = #expect(throws: SystemError.self) {
            try AtomicWriter.write(Array("data".utf8), to: "svc.use", in: handle, durability: durability)
        }
        #expect(error?.description.contains(directory.file("svc.use")) == true, "\(String(describing: error))")
        #expect(temporaryNames(in: directory).isEmpty, "\(directory.names())")
        #expect(directory.names() == ["svc.use"])
        #expect(directory.text("svc.use/inside") == "keep")
    }

    @Test("Writing never follows a symlink at the target name")
    func symlinkTarget() throws {
        let directory = try TemporaryDirectory()
        let outside = try TemporaryDirectory()
        defer { withExtendedLifetime(outside) {} }
        try outside.write("victim", "original")
        try directory.symlink("svc.use", to: outside.file("victim"))
        let handle = try DirectoryHandle.open(path: directory.path)
        try AtomicWriter.write(Array("token".utf8), to: "svc.use", in: handle, durability: .atomic)
        #expect(outside.text("victim") == "original")
        #expect(directory.text("svc.use") == "token")
        #expect(try FileStatus.of(path: directory.file("svc.use"))?.type == .regular)
    }

    @Test("removeOrphans removes only files with the temporary prefix")
    func removeOrphans() throws {
        let directory = try TemporaryDirectory()
        for name in [".credmon-tmp.svc.use.abc", ".credmon-tmp.x", "svc.use", "svc.top", ".credmon-tmp", "credmon-tmp.y", ".other-tmp.z", "tmpAbCd1234"] {
            try directory.write(name, "x")
        }
        let handle = try DirectoryHandle.open(path: directory.path)
        let removed = AtomicWriter.removeOrphans(in: handle)
        #expect(Set(removed) == [".credmon-tmp.svc.use.abc", ".credmon-tmp.x"])
        #expect(directory.names() == [".credmon-tmp", ".other-tmp.z", "credmon-tmp.y", "svc.top", "svc.use", "tmpAbCd1234"])
    }

    @Test("A temporary name carries its writer's process ID: a live writer's file is not abandoned, a gone one's is")
    func abandonedTemporaries() throws {
        let own = AtomicWriter.temporaryName(for: "svc.use")
        #expect(own.hasPrefix(".credmon-tmp.svc.use."))
        #expect(!AtomicWriter.isAbandoned(own), "this process's own write")
        #expect(!AtomicWriter.isAbandoned(".credmon-tmp.svc.use.\(String(getppid(), radix: 36))-1"), "a live writer")
        let gone = try Self.exitedProcessID()
        #expect(AtomicWriter.isAbandoned(".credmon-tmp.svc.use.\(String(gone, radix: 36))-7"), "a writer that is gone")
        #expect(AtomicWriter.isAbandoned(".credmon-tmp.svc.use.k3j2"), "no process ID (an older version's name)")
    }

    @Test("A hostile temporary name is taken for abandoned, never for a live writer, and traps nothing",
          arguments: [".credmon-tmp.", ".credmon-tmp.x.", ".credmon-tmp.x.-", ".credmon-tmp.x.-1", ".credmon-tmp.x.0-1",
                      ".credmon-tmp.x.zzzzzzzzzzzzzzzzzzzz-1", ".credmon-tmp.x.-zz-1", ".credmon-tmp.x.\u{00E4}-1",
                      ".credmon-tmp.x.1 -1", ".credmon-tmp.x.\u{0}-1", ".credmon-tmp..-", "other.1-1"])
    func hostileTemporaryNames(name: String) {
        #expect(AtomicWriter.isAbandoned(name))
    }

    @Test("removeOrphans keeps the temporary files of a writer still at work (credmon-web beside the daemon)")
    func removeOrphansKeepsLiveWriters() throws {
        let directory = try TemporaryDirectory()
        let live = ".credmon-tmp.wsgi_session_key.\(String(getppid(), radix: 36))-3"
        let gone = ".credmon-tmp.svc.top.\(String(try Self.exitedProcessID(), radix: 36))-4"
        for name in [live, gone] { try directory.write(name, "x") }
        let removed = AtomicWriter.removeOrphans(in: try DirectoryHandle.open(path: directory.path))
        #expect(removed == [gone])
        #expect(directory.names() == [live])
    }

    /// The ID of a process that has run and been reaped.
    static func exitedProcessID() throws -> pid_t {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { free(argv[0]) }
        try #require(posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0)
        var status: Int32 = 0
        try #require(waitpid(pid, &status, 0) == pid)
        return pid
    }

    @Test("A streamed write lands whole: its chunks in order, and the old file in place until the last is written")
    func streamedWrite() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("status.json", "old")
        let handle = try DirectoryHandle.open(path: directory.path)
        var seenWhileStreaming: [String?] = []
        try AtomicWriter.write(to: "status.json", in: handle, mode: 0o600, durability: .atomic) { output in
            for index in 0..<5 {
                Array("chunk\(index);".utf8).withUnsafeBytes(output)
                seenWhileStreaming.append(directory.text("status.json"))
            }
        }
        #expect(directory.text("status.json") == "chunk0;chunk1;chunk2;chunk3;chunk4;")
        #expect(seenWhileStreaming == Array(repeating: "old", count: 5), "readers saw the old file until the rename")
        #expect(Files.mode(directory.file("status.json")) == 0o600)
        #expect(temporaryNames(in: directory).isEmpty)
    }

    @Test("A chunk that cannot be written fails a streamed write: the old file stays, nothing is left behind")
    func streamedWriteFailure() throws {
        let directory = try TemporaryDirectory()
        _ = try directory.write("status.json", "old")
        let handle = try DirectoryHandle.open(path: directory.path)
        // write(2) refuses a buffer outside the process's memory with EFAULT: a real failed write, without a full disk.
        let unmapped = UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: 0x10), count: 16)
        #expect {
            try AtomicWriter.write(to: "status.json", in: handle, durability: .atomic) { output in
                Array("first;".utf8).withUnsafeBytes(output)
                output(unmapped)
                Array("after;".utf8).withUnsafeBytes(output)
            }
        } throws: { error in
            let failure = try #require(error as? SystemError)
            return failure.errno == EFAULT && "\(failure)".contains("write")
        }
        #expect(directory.text("status.json") == "old")
        #expect(temporaryNames(in: directory).isEmpty)
    }
}
