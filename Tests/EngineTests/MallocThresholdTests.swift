import Glibc
import Testing
@testable import Engine

@Suite("malloc's mmap threshold fixed at start")
struct MallocThresholdTests {
    @Test("An admin's MALLOC_MMAP_THRESHOLD_ or GLIBC_TUNABLES threshold stands; other tunables do not stop it")
    func environmentStands() {
        #expect(!MallocThreshold.fix(environment: { $0 == "MALLOC_MMAP_THRESHOLD_" ? "65536" : nil }))
        #expect(!MallocThreshold.fix(environment: {
            $0 == "GLIBC_TUNABLES" ? "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536" : nil
        }))
        #expect(MallocThreshold.fix(environment: { $0 == "GLIBC_TUNABLES" ? "glibc.malloc.arena_max=2" : nil }))
    }

    // A block smaller than the free space at the top of a thread's heap is cut from it whatever the threshold; the
    // heaps keep less than the trim threshold (128 KiB) there, so blocks of megabytes show what the threshold does.
    @Test("Fixed, a block past the threshold is mapped on its own even after a larger one was freed (glibc would have raised its threshold to that one's size)")
    func blocksStayMapped() throws {
        #expect(MallocThreshold.fix(environment: { _ in nil }))
        let larger = try #require(malloc(16 << 20))
        #expect(isMapped(larger))
        free(larger)
        let block = try #require(malloc(8 << 20))
        defer { free(block) }
        #expect(isMapped(block), "from a heap: the threshold moved")
    }

    /// glibc marks a chunk it mapped on its own in the size word before the block (IS_MMAPPED, bit 1).
    private func isMapped(_ block: UnsafeMutableRawPointer) -> Bool {
        UnsafeRawPointer(block).load(fromByteOffset: -MemoryLayout<UInt>.size, as: UInt.self) & 2 != 0
    }
}
