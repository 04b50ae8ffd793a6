import FoundationEssentials

/// A min-heap of (due date, credential). Entries may be stale; the owner checks them when they come out. Kept in
/// ``Chunks``: it grows by 1,024 entries, never by a copy of all of them beside the old.
struct DueQueue {
    private var heap = Chunks<(date: Date, id: CredentialID)>()

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }
    var earliest: Date? { heap.first?.date }
    /// Entries the heap holds without growing.
    var capacity: Int { heap.capacity }

    /// Room for `count` more entries without growing (the first chunk's worth at most; see ``Chunks``).
    mutating func reserveCapacity(_ count: Int) { heap.reserveCapacity(heap.count + count) }

    mutating func insert(_ id: CredentialID, at date: Date) {
        heap.append((date, id))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].date < heap[parent].date else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns every entry due at or before `now`.
    mutating func popDue(now: Date) -> [(date: Date, id: CredentialID)] {
        var due: [(date: Date, id: CredentialID)] = []
        while let first = heap.first, first.date <= now {
            due.append(first)
            heap.swapAt(0, heap.count - 1)
            _ = heap.removeLast()
            siftDown(0)
        }
        return due
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && heap[left].date < heap[smallest].date { smallest = left }
            if right < heap.count && heap[right].date < heap[smallest].date { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
