/// The monitor's records, one per credential: an array of records and a ``CredentialIndex`` into it.
///
/// A `[CredentialID: CredentialRecord]` for 10,000 credentials is a 16,384-slot table of key and record (5.1 MB); here
/// the records lie side by side, as many slots as records (2.6 MB), and the index holds 8 bytes per slot (0.13 MB). The
/// order of iteration is the order records were added in, except that removing one moves the last record into its
/// place.
public struct RecordStore: Sendable, Sequence {
    private var storage: ContiguousArray<CredentialRecord> = []
    private var index = CredentialIndex()

    public init() {}

    /// How many records are kept.
    public var count: Int { storage.count }

    /// How many records the store has room for without growing.
    var capacity: Int { storage.capacity }

    /// Whether no record is kept.
    public var isEmpty: Bool { storage.isEmpty }

    /// Every record, in the store's order.
    public var values: ContiguousArray<CredentialRecord> { storage }

    /// Every credential's ID, in the store's order.
    public var keys: LazyMapSequence<ContiguousArray<CredentialRecord>, CredentialID> { storage.lazy.map(\.id) }

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
                    growIfFull()
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

    /// Room for `capacity` records without growing.
    public mutating func reserveCapacity(_ capacity: Int) {
        storage.reserveCapacity(capacity)
        index.reserveCapacity(capacity)
    }

    /// A full store of a thousand records or more grows by a quarter, not double: a user added after a first pass of
    /// 10,000 (whose records were reserved exactly) would otherwise take room for 20,000 (5.3 MB for 2.6).
    private mutating func growIfFull() {
        guard storage.count == storage.capacity, storage.count >= 1024 else { return }
        storage.reserveCapacity(storage.count + storage.count / 4)
    }

    /// Changes every record in place, without a copy of the store.
    public mutating func updateEach(_ change: (inout CredentialRecord) -> Void) {
        for position in storage.indices { change(&storage[position]) }
    }

    public func makeIterator() -> Iterator { Iterator(base: storage.makeIterator()) }

    /// Yields each record with its ID, as a dictionary's iterator does.
    public struct Iterator: IteratorProtocol {
        var base: ContiguousArray<CredentialRecord>.Iterator

        public mutating func next() -> (key: CredentialID, value: CredentialRecord)? {
            base.next().map { (key: $0.id, value: $0) }
        }
    }

    private func position(of id: CredentialID) -> Int? { index.position(of: id) { storage[$0].id == id } }
}
