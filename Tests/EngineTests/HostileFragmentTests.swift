import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

@Suite("Fragments that are not what they seem")
struct HostileFragmentTests {
    @Test("A fragment linked to /dev/zero, a FIFO fragment and an oversized one are refused at once; the good one loads")
    func hostileFragments() throws {
        let providers = try ProvidersDirectory()
        try providers.write("10-good.yaml", "name: good\nkind: echo\n")
        let zero = try providers.root.symlink("providers.d/20-zero.yaml", to: "/dev/zero")
        let fifo = providers.path + "/30-fifo.yaml"
        #expect(mkfifo(fifo, 0o644) == 0)
        let huge = try providers.write("40-huge.yaml", "name: huge\nkind: echo\n# " + String(repeating: "x", count: FragmentFile.maximumSize) + "\n")
        let loaded = Locked<ProviderTable.LoadResult?>(nil)
        #expect(NonBlocking.finishes(within: 20, unblock: { NonBlocking.releaseFIFO(fifo) }) { loaded.set(providers.load()) },
                "loading the providers blocked")
        let result = try #require(loaded.get())
        #expect(result.table.names == ["good"])
        #expect(result.failedFiles == [zero, fifo, huge])
        #expect(result.errors(in: zero).map(\.description) == [
            zero + ": cannot read the fragment: refused: it is a symbolic link, which credmon never follows; replace the link with the file itself",
        ])
        #expect(result.errors(in: fifo).map(\.description) == [
            fifo + ": cannot read the fragment: refused: it is a FIFO (named pipe), not a regular file; replace it with a regular file or fix the configured path",
        ])
        #expect(result.errors(in: huge).map(\.description) == [
            huge + ": cannot read the fragment: refused: it is larger than 1048576 bytes; check that the configured path names the right file",
        ])
    }

    @Test("A fragment that is not UTF-8 is refused naming the file")
    func notUTF8() throws {
        let providers = try ProvidersDirectory()
        let path = try providers.root.write("providers.d/bad.yaml", bytes: Array("name: bad\nkind: echo\n# ".utf8) + [0xFF, 0xFE, 0x0A])
        let result = providers.load()
        #expect(result.table.names.isEmpty)
        #expect(result.errors(in: path).map(\.description) == [path + ": not UTF-8 text; save it as UTF-8"])
    }
}
