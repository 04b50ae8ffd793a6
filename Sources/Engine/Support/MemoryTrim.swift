import CSystemCalls

/// Gives memory freed after a large pass back to the system (glibc keeps it otherwise).
enum MemoryTrim {
    static func releaseFreeMemory() { _ = credmon_malloc_trim() }
}
