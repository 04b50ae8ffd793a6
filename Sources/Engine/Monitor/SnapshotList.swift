/// The credentials a scan found, in the arrays its parallel tasks filled: a collection of all of them, in order,
/// without copying one task's array into another's.
///
/// Merging the tasks' arrays into one held, for a moment, the merged array (grown step by step) beside the arrays it
/// was filled from: 10,000 snapshots twice over in a pass that lists every directory. Here an append of another list
/// moves its arrays in.
public struct SnapshotList: RandomAccessCollection, Sendable, ExpressibleByArrayLiteral {
    /// The arrays (only the last may be empty: one started by an append or a reservation).
    private var chunks: [[CredentialSnapshot]] = []
    /// Where each array begins in the whole.
    private var starts: [Int] = []
    private var total = 0

    public init() {}

    public init(_ snapshots: [CredentialSnapshot]) {
        if !snapshots.isEmpty {
            chunks = [snapshots]
            starts = [0]
            total = snapshots.count
        }
    }

    public init(arrayLiteral elements: CredentialSnapshot...) { self.init(elements) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { total }

    public subscript(position: Int) -> CredentialSnapshot {
        let (chunk, offset) = locate(position)
        return chunks[chunk][offset]
    }

    /// Adds `snapshot` at the end.
    public mutating func append(_ snapshot: CredentialSnapshot) {
        if chunks.isEmpty {
            chunks.append([])
            starts.append(0)
        }
        chunks[chunks.count - 1].append(snapshot)
        total += 1
    }

    /// Room for `capacity` more snapshots in the last array (an empty list starts one).
    public mutating func reserveCapacity(_ capacity: Int) {
        if chunks.isEmpty {
            chunks.append([])
            starts.append(0)
        }
        chunks[chunks.count - 1].reserveCapacity(chunks[chunks.count - 1].count + capacity)
    }

    /// Adds every snapshot of `other` at the end, moving its arrays in (the snapshots are not copied).
    public mutating func append(contentsOf other: consuming SnapshotList) {
        for chunk in other.chunks where !chunk.isEmpty {
            chunks.append(chunk)
            starts.append(total)
            total += chunk.count
        }
    }

    /// Drops the open directory of the snapshot at `position` (it then holds none).
    mutating func releaseDirectory(at position: Int) {
        let (chunk, offset) = locate(position)
        chunks[chunk][offset].directory = nil
    }

    /// Iterates the arrays in turn, without locating each position.
    public func makeIterator() -> Iterator { Iterator(chunks: chunks) }

    /// Yields each snapshot of each array in turn.
    public struct Iterator: IteratorProtocol {
        let chunks: [[CredentialSnapshot]]
        var chunk = 0
        var offset = 0

        public mutating func next() -> CredentialSnapshot? {
            while chunk < chunks.count {
                if offset < chunks[chunk].count {
                    defer { offset += 1 }
                    return chunks[chunk][offset]
                }
                chunk += 1
                offset = 0
            }
            return nil
        }
    }

    /// The array holding `position` and the offset in it (the arrays are few: one per scan task).
    private func locate(_ position: Int) -> (chunk: Int, offset: Int) {
        precondition(position >= 0 && position < total, "position out of range")
        var chunk = chunks.count - 1
        while starts[chunk] > position { chunk -= 1 }
        return (chunk, position - starts[chunk])
    }
}
