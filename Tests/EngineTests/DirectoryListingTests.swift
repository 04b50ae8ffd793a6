import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

@Suite("Directory listing (getdents64), temporary names and random bytes")
struct DirectoryListingTests {
    @Test("A directory larger than one read's buffer is listed whole, with types, without . and ..; listing again rewinds")
    func largeDirectory() throws {
        let directory = try TemporaryDirectory()
        // 2,000 names of 40 characters: about 120 KiB of records, several getdents64 reads of 32 KiB.
        var expected = Set<String>()
        for index in 0..<2000 {
            let name = String(format: "credential-%04d-", index) + String(repeating: "x", count: 25)
            _ = try directory.write(name, "x")
            expected.insert(name)
        }
        _ = try directory.makeDirectory("sub")
        #expect(symlink("/etc/passwd", directory.file("link")) == 0)
        let handle = try DirectoryHandle.open(path: directory.path)
        for _ in 0..<2 {
            let entries = try handle.entries()
            #expect(entries.count == 2002)
            #expect(Set(entries.filter { $0.type == .regular }.map(\.name)) == expected)
            #expect(entries.first { $0.name == "sub" }?.type == .directory)
            #expect(entries.first { $0.name == "link" }?.type == .symlink)
            #expect(!entries.contains { $0.name == "." || $0.name == ".." })
        }
    }

    @Test("An empty directory lists nothing")
    func emptyDirectory() throws {
        let directory = try TemporaryDirectory()
        #expect(try DirectoryHandle.open(path: directory.path).entries().isEmpty)
    }

    @Test("Writers in parallel never share a temporary name; every file arrives whole with mode 0400")
    func parallelWriters() async throws {
        let directory = try TemporaryDirectory()
        let handle = try DirectoryHandle.open(path: directory.path)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in 0..<100 {
                        try AtomicWriter.write(Array("\(writer)-\(index)".utf8), to: "f\(writer)-\(index)", in: handle, durability: .atomic)
                    }
                }
            }
            try await group.waitForAll()
        }
        let names = directory.names()
        #expect(names.count == 800)
        #expect(!names.contains { $0.hasPrefix(AtomicWriter.temporaryPrefix) })
        #expect(directory.text("f7-99") == "7-99")
        #expect(Files.mode(directory.file("f3-50")) == 0o400)
    }

    @Test("The process umask is read without changing it")
    func umaskRead() {
        let current = umask(0o022)
        umask(current)
        #expect(ProcessUmask.value == current)
    }

    @Test("SecureRandom fills every byte, differently each time")
    func secureRandom() {
        var seen = Set<[UInt8]>()
        var ored = [UInt8](repeating: 0, count: 64)
        for _ in 0..<16 {
            var bytes = [UInt8](repeating: 0, count: 64)
            bytes.withUnsafeMutableBytes { SecureRandom.fill($0) }
            seen.insert(bytes)
            for index in 0..<64 { ored[index] |= bytes[index] }
        }
        #expect(seen.count == 16)
        #expect(!ored.contains(0), "no byte stayed zero over 16 draws")
    }
}
