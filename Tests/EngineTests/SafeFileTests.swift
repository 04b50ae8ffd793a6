import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// Checks that file operations return instead of blocking.
enum NonBlocking {
    /// Runs `body` on a thread of its own; false when it has not returned within `seconds` (the thread is left
    /// behind, and `unblock` is called to release it if it can be).
    static func finishes(within seconds: Double, unblock: () -> Void = {}, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            body()
            done.signal()
        }
        if done.wait(timeout: .now() + seconds) == .success { return true }
        unblock()
        return false
    }

    /// Opens the FIFO at `path` for reading and writing without blocking (which releases a thread stuck opening it).
    static func releaseFIFO(_ path: String) {
        let fd = open(path, O_RDWR | O_NONBLOCK)
        if fd >= 0 { close(fd) }
    }
}

@Suite("Safe file reading: no links, no blocking, regular files only, capped")
struct SafeFileTests {
    @Test("A regular file is read; a missing one is nil")
    func regularFile() throws {
        let root = try TemporaryDirectory()
        let path = try root.write("fragment.yaml", "name: x\n")
        let contents = try #require(try SafeFile.read(path: path))
        #expect(contents.bytes == Array("name: x\n".utf8))
        #expect(contents.status.type == .regular)
        #expect(try SafeFile.read(path: root.file("missing")) == nil)
    }

    @Test("A symlink (even to /dev/zero) is refused, naming the file and what to do")
    func symlinkRefused() throws {
        let root = try TemporaryDirectory()
        let link = try root.symlink("zero.yaml", to: "/dev/zero")
        let outcome = Locked<Result<SafeFile.Contents?, SystemError>?>(nil)
        #expect(NonBlocking.finishes(within: 10) { outcome.set(Result { () throws(SystemError) in try SafeFile.read(path: link) }) })
        guard case .failure(let error) = try #require(outcome.get()) else {
            Issue.record("a symlink was read")
            return
        }
        #expect(error.description.hasPrefix(link + ": "), "\(error)")
        #expect(error.description.contains("symbolic link"), "\(error)")
        #expect(error.advice != nil, "says what to do: \(error)")
    }

    @Test("A FIFO is refused at once, without waiting for a writer")
    func fifoRefused() throws {
        let root = try TemporaryDirectory()
        let fifo = root.file("groups.map")
        #expect(mkfifo(fifo, 0o600) == 0)
        let outcome = Locked<Result<SafeFile.Contents?, SystemError>?>(nil)
        #expect(NonBlocking.finishes(within: 10, unblock: { NonBlocking.releaseFIFO(fifo) }) {
            outcome.set(Result { () throws(SystemError) in try SafeFile.read(path: fifo) })
        }, "reading a FIFO blocked")
        guard case .failure(let error) = try #require(outcome.get()) else {
            Issue.record("a FIFO was read")
            return
        }
        #expect(error.description == fifo + ": refused: it is a FIFO (named pipe), not a regular file; replace it with a regular file or fix the configured path")
    }

    @Test("A character device and a directory are refused")
    func deviceAndDirectoryRefused() throws {
        let root = try TemporaryDirectory()
        let outcome = Locked<[String]>([])
        #expect(NonBlocking.finishes(within: 10) {
            for path in ["/dev/zero", root.path] {
                do {
                    _ = try SafeFile.read(path: path)
                    outcome.update { $0.append("read \(path)") }
                } catch {
                    outcome.update { $0.append("\(error)") }
                }
            }
        })
        let errors = outcome.get()
        #expect(errors.count == 2)
        #expect(errors.first == "/dev/zero: refused: it is a character device, not a regular file; replace it with a regular file or fix the configured path")
        #expect(errors.last?.contains("it is a directory") == true, "\(errors)")
    }

    @Test("At most the cap is read: a file of exactly the cap passes, one byte more is refused")
    func sizeCap() throws {
        let root = try TemporaryDirectory()
        let exact = try root.write("exact", bytes: [UInt8](repeating: 0x61, count: 4096))
        let over = try root.write("over", bytes: [UInt8](repeating: 0x61, count: 4097))
        #expect(try SafeFile.read(path: exact, limit: 4096)?.bytes.count == 4096)
        #expect {
            try SafeFile.read(path: over, limit: 4096)
        } throws: { error in
            (error as? SystemError)?.description == over + ": refused: it is larger than 4096 bytes; check that the configured path names the right file"
        }
    }

    @Test("DirectoryHandle.readFile refuses a FIFO beside the credentials without blocking")
    func directoryHandleRead() throws {
        let root = try TemporaryDirectory()
        #expect(mkfifo(root.file("svc.top"), 0o600) == 0)
        let handle = try DirectoryHandle.open(path: root.path)
        let refused = Locked(false)
        #expect(NonBlocking.finishes(within: 10, unblock: { NonBlocking.releaseFIFO(root.file("svc.top")) }) {
            refused.set((try? handle.readFile("svc.top")) == nil)
        })
        #expect(refused.get())
    }

    @Test("Opening for append creates a regular file and refuses a FIFO, with or without a reader, and a symlink")
    func openForAppend() throws {
        let root = try TemporaryDirectory()
        let fd = try SafeFile.openForAppend(name: root.file("log"), relativeTo: AT_FDCWD, displayPath: root.file("log"), mode: 0o644)
        close(fd)
        #expect(root.exists("log"))

        let fifo = root.file("fifo-log")
        #expect(mkfifo(fifo, 0o600) == 0)
        let errors = Locked<[String]>([])
        let attempt: @Sendable () -> Void = {
            do {
                let fd = try SafeFile.openForAppend(name: fifo, relativeTo: AT_FDCWD, displayPath: fifo, mode: 0o644)
                close(fd)
                errors.update { $0.append("opened") }
            } catch {
                errors.update { $0.append("\(error)") }
            }
        }
        #expect(NonBlocking.finishes(within: 10, unblock: { NonBlocking.releaseFIFO(fifo) }, attempt), "no reader")
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        #expect(NonBlocking.finishes(within: 10, unblock: { NonBlocking.releaseFIFO(fifo) }, attempt), "with a reader")
        #expect(errors.get().count == 2)
        #expect(errors.get().allSatisfy { $0.hasPrefix(fifo + ": refused: it is a FIFO") }, "\(errors.get())")

        let outside = try root.write("victim", "")
        let link = try root.symlink("link-log", to: outside)
        #expect {
            try SafeFile.openForAppend(name: link, relativeTo: AT_FDCWD, displayPath: link, mode: 0o644)
        } throws: { error in
            (error as? SystemError)?.description.contains("symbolic link, which credmon never follows") == true
        }
    }

    @Test("CREDMON_COMPLETE as a FIFO is refused without blocking, and says to remove it")
    func completeMarkerFIFO() throws {
        let root = try TemporaryDirectory()
        let marker = root.file("CREDMON_COMPLETE")
        #expect(mkfifo(marker, 0o644) == 0)
        let message = Locked<String?>(nil)
        #expect(NonBlocking.finishes(within: 10, unblock: { NonBlocking.releaseFIFO(marker) }) {
            do {
                try CredentialDirectory(path: root.path).touchCompleteMarker()
            } catch {
                message.set("\(error)")
            }
        }, "touching a FIFO blocked")
        #expect(message.get() == marker + ": refused: it is a FIFO (named pipe), not a regular file; remove it; credmon creates the marker again at the end of the next pass")
    }
}
