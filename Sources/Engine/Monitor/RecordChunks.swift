/// The records of a ``RecordStore``, side by side in chunks of 1,024: a random-access collection of them, in order.
///
/// One array grew by a copy into a larger one, both held at once: the first user added after a first pass over
/// 10,000 (whose records were reserved exactly) held 2.6 MB of records beside 3.3 MB for 12,500, the daemon's peak.
/// Here a store grows by one chunk (0.26 MB); only the first chunk grows as arrays do, so a small store stays small.
public struct RecordChunks: RandomAccessCollection, Sendable {
    private static let chunkShift = 10
    static let chunkSize = 1 << chunkShift
    private static let offsetMask = chunkSize - 1

    /// Every chunk but the last is full.
    private var chunks: [ContiguousArray<CredentialRecord>] = []
    private var total = 0

    init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { total }

    public subscript(position: Int) -> CredentialRecord {
        get { chunks[position >> Self.chunkShift][position & Self.offsetMask] }
        _modify { yield &chunks[position >> Self.chunkShift][position & Self.offsetMask] }
        set { chunks[position >> Self.chunkShift][position & Self.offsetMask] = newValue }
    }

    /// How many records the chunks hold without another allocation. A chunk holds at most ``chunkSize`` however large
    /// its array's allocation came out (a mapped one is rounded up to whole pages).
    var capacity: Int {
        guard let last = chunks.last else { return 0 }
        return (chunks.count - 1) * Self.chunkSize + Swift.min(last.capacity, Self.chunkSize)
    }

    /// Room for `capacity` records: the first chunk grows to hold up to a chunk's worth; later chunks are made full
    /// size as they are needed.
    mutating func reserveCapacity(_ capacity: Int) {
        if chunks.isEmpty { chunks.append([]) }
        if chunks.count == 1 { chunks[0].reserveCapacity(Swift.min(capacity, Self.chunkSize)) }
    }

    mutating func append(_ record: CredentialRecord) {
        if chunks.isEmpty {
            chunks.append([])
        } else if chunks[chunks.count - 1].count == Self.chunkSize {
            var chunk = ContiguousArray<CredentialRecord>()
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(record)
        total += 1
    }

    /// Removes the last record (an emptied chunk goes with it) and returns it.
    mutating func removeLast() -> CredentialRecord {
        let record = chunks[chunks.count - 1].removeLast()
        if chunks[chunks.count - 1].isEmpty && chunks.count > 1 { chunks.removeLast() }
        total -= 1
        return record
    }

    mutating func swapAt(_ first: Int, _ second: Int) {
        guard first != second else { return }
        let record = self[first]
        self[first] = self[second]
        self[second] = record
    }
}
