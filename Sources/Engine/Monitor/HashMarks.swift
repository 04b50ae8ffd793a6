/// A set of values kept as their 64-bit hashes only (8 bytes a slot): "was this one marked?" for thousands of IDs
/// without holding the IDs (a set of 10,000 credential IDs takes about 0.8 MB, this about 0.15). Two different values
/// with the same 64-bit hash (about one chance in 10^11 among 10,000 values) read as one: use it only where a false
/// "marked" costs a delay, never correctness.
struct HashMarks {
    private var hashes = Set<Int>()

    /// Room for `count` more marks.
    mutating func reserveCapacity(_ count: Int) { hashes.reserveCapacity(hashes.count + count) }

    mutating func mark(_ value: some Hashable) { hashes.insert(value.hashValue) }

    /// Whether `value` was marked.
    func contains(_ value: some Hashable) -> Bool { hashes.contains(value.hashValue) }

    /// How many different hashes are marked.
    var count: Int { hashes.count }
}
