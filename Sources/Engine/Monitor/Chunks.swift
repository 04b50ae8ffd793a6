/// Elements side by side in chunks of 1,024: a random-access collection that grows by one chunk, never by a copy.
///
/// One array grows by a copy into a larger one, both held at once: the first user added after a first pass over
/// 10,000 (whose records were reserved exactly) held 2.6 MB of records beside 3.3 MB for 12,500, the daemon's peak,
/// and the due queue 0.56 MB beside 0.70. Here a collection grows by one chunk (0.26 MB of records, 57 KB of due
/// dates); only the first chunk grows as arrays do, so a small one stays small.
public struct Chunks<Element>: RandomAccessCollection {
    private static var chunkShift: Int { 10 }
    static var chunkSize: Int { 1 << chunkShift }
    private static var offsetMask: Int { chunkSize - 1 }

    /// Every chunk but the last is full.
    private var chunks: [ContiguousArray<Element>] = []
    private var total = 0

    init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { total }

    public subscript(position: Int) -> Element {
        get { chunks[position >> Self.chunkShift][position & Self.offsetMask] }
        _modify { yield &chunks[position >> Self.chunkShift][position & Self.offsetMask] }
        set { chunks[position >> Self.chunkShift][position & Self.offsetMask] = newValue }
    }

    /// How many elements the chunks hold without another allocation. A chunk holds at most ``chunkSize`` however
    /// large its array's allocation came out (a mapped one is rounded up to whole pages).
    var capacity: Int {
        guard let last = chunks.last else { return 0 }
        return (chunks.count - 1) * Self.chunkSize + Swift.min(last.capacity, Self.chunkSize)
    }

    /// Room for `capacity` elements: the first chunk grows to hold up to a chunk's worth; later chunks are made full
    /// size as they are needed.
    mutating func reserveCapacity(_ capacity: Int) {
        if chunks.isEmpty { chunks.append([]) }
        if chunks.count == 1 { chunks[0].reserveCapacity(Swift.min(capacity, Self.chunkSize)) }
    }

    mutating func append(_ element: Element) {
        if chunks.isEmpty {
            chunks.append([])
        } else if chunks[chunks.count - 1].count == Self.chunkSize {
            var chunk = ContiguousArray<Element>()
            chunk.reserveCapacity(Self.chunkSize)
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(element)
        total += 1
    }

    /// Removes the last element (an emptied chunk goes with it) and returns it.
    mutating func removeLast() -> Element {
        let element = chunks[chunks.count - 1].removeLast()
        if chunks[chunks.count - 1].isEmpty && chunks.count > 1 { chunks.removeLast() }
        total -= 1
        return element
    }

    mutating func swapAt(_ first: Int, _ second: Int) {
        guard first != second else { return }
        let element = self[first]
        self[first] = self[second]
        self[second] = element
    }
}

extension Chunks: Sendable where Element: Sendable {}

/// The records of a ``RecordStore``, in order.
public typealias RecordChunks = Chunks<CredentialRecord>
