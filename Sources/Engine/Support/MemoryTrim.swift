import Glibc

/// Gives memory freed after a large pass back to the system (glibc keeps it otherwise).
enum MemoryTrim {
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }

    static func releaseFreeMemory() { _ = trim?(0) }
}
