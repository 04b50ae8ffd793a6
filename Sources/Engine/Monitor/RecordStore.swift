/// The monitor's records, one per credential: the records side by side (in chunks, ``RecordChunks``) and a
/// ``CredentialIndex`` into them.
///
/// A `[CredentialID: CredentialRecord]` for 10,000 credentials is a 16,384-slot table of key and record (5.1 MB); here
/// the records lie side by side, about as many slots as records (2.6 MB), and the index holds 8 bytes per slot (0.13
/// MB). The order of iteration is the order records were added in, except that removing one moves the last record
/// into its place.
public struct RecordStore: Sendable, Sequence {
    private var storage = RecordChunks()
    private var index = CredentialIndex()

    public init() {}

    /// How many records are kept.
    public var count: Int { storage.count }

    /// How many records the store has room for without growing.
    var capacity: Int { storage.capacity }

    /// Whether no record is kept.
    public var isEmpty: Bool { storage.isEmpty }

    /// Every record, in the store's order.
    public var values: RecordChunks { storage }

    /// Every credential's ID, in the store's order.
    public var keys: LazyMapSequence<RecordChunks, CredentialID> { storage.lazy.map(\.id) }

    /// The record of `id`; set to a record (whose `id` is `id`) to add or replace it, to nil to remove it.
    public subscript(id: CredentialID) -> CredentialRecord? {
        get { position(of: id).map { storage[$0] } }
        set {
            if let newValue {
                assert(newValue.id == id, "a record is kept under its own ID")
                if let position = position(of: id) {
                    storage[position] = newValue
                } else {
                    index.insert(id, at: storage.count) { _ in false }
                    storage.append(newValue)
                }
            } else {
                _ = removeValue(forKey: id)
            }
        }
    }

    /// Removes the record of `id` and returns it, if there was one.
    @discardableResult
    public mutating func removeValue(forKey id: CredentialID) -> CredentialRecord? {
        guard let position = index.remove(id, matches: { storage[$0].id == id }) else { return nil }
        let last = storage.count - 1
        if position != last {
            storage.swapAt(position, last)
            index.move(storage[position].id, from: last, to: position)
        }
        return storage.removeLast()
    }

    /// Room for `capacity` records: the index at once; the records' chunks (see ``RecordChunks``) as they fill.
    public mutating func reserveCapacity(_ capacity: Int) {
        storage.reserveCapacity(capacity)
        index.reserveCapacity(capacity)
    }

    /// Changes the record of `id` in place; false when there is none.
    @discardableResult
    public mutating func update(_ id: CredentialID, _ change: (inout CredentialRecord) -> Void) -> Bool {
        guard let position = position(of: id) else { return false }
        change(&storage[position])
        return true
    }

    /// Changes every record in place, without a copy of the store.
    public mutating func updateEach(_ change: (inout CredentialRecord) -> Void) {
        for position in storage.indices { change(&storage[position]) }
    }

    public func makeIterator() -> Iterator { Iterator(base: storage.makeIterator()) }

    /// Yields each record with its ID, as a dictionary's iterator does.
    public struct Iterator: IteratorProtocol {
        var base: RecordChunks.Iterator

        public mutating func next() -> (key: CredentialID, value: CredentialRecord)? {
            base.next().map { (key: $0.id, value: $0) }
        }
    }

    private func position(of id: CredentialID) -> Int? { index.position(of: id) { storage[$0].id == id } }
}
