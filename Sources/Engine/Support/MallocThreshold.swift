import CSystemCalls
import Glibc

/// glibc malloc's mmap threshold, fixed at start.
///
/// glibc maps an allocation of 128 KiB or more on its own and unmaps it when freed, until one such block is freed:
/// then it raises the threshold to that block's size (up to 32 MiB), and from then on blocks that size come from the
/// threads' heaps, where a freed one leaves a hole that only that heap can reuse. A daemon whose passes grow and
/// drop arrays and tables of hundreds of KiB (a round's snapshots, the listings, the due queue) ended with its heaps
/// holding 4 MB free beside 7 MB in use at 10,000 users. Fixed at 128 KiB, those blocks are mapped and returned
/// whole; the small ones (records, names) are untouched.
public enum MallocThreshold {
    /// The threshold set: glibc's own default, kept from moving.
    public static let bytes = 128 * 1024

    /// Fixes the threshold at ``bytes`` unless the environment sets malloc's threshold itself (`MALLOC_MMAP_THRESHOLD_`,
    /// or `glibc.malloc.mmap_threshold` in `GLIBC_TUNABLES`): the admin's choice stands. Returns whether it was set.
    /// Call it first thing in `main`.
    @discardableResult
    public static func fix(environment: (String) -> String? = { getenv($0).map { String(cString: $0) } }) -> Bool {
        if environment("MALLOC_MMAP_THRESHOLD_") != nil { return false }
        if let tunables = environment("GLIBC_TUNABLES"), tunables.contains("glibc.malloc.mmap_threshold") { return false }
        return credmon_fix_mmap_threshold(Int32(bytes)) == 1
    }
}
