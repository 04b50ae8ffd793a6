/// A hash index from credential IDs to positions in an array its owner keeps (``RecordStore``, ``PassSnapshots``).
///
/// A `[CredentialID: Int]` keeps a copy of every ID (two strings, 32 bytes) in each of its slots; this keeps, per slot,
/// 8 bytes: 32 bits of the ID's hash and the position. The IDs stay in the owner's array, and a lookup asks the owner
/// whether the element at a position is the one sought (`matches`), only for a slot whose hash bits agree. Open
/// addressing with linear probing, at most 70 % full; a removal shifts the slots after it back, so no tombstones.
struct CredentialIndex {
    /// 0: empty; otherwise the hash's low 32 bits above (position + 1).
    private var slots: [UInt64] = []
    /// How many positions are indexed.
    private(set) var count = 0

    /// How many slots the index holds (room for 70 % as many positions).
    var slotCapacity: Int { slots.count }

    init() {}

    /// Room for `capacity` positions without growing.
    mutating func reserveCapacity(_ capacity: Int) {
        let needed = Self.slotCount(for: capacity)
        if needed > slots.count { rehash(slotCount: needed) }
    }

    /// Forgets every position.
    mutating func removeAll() {
        slots = []
        count = 0
    }

    /// The position of `id`, or nil; `matches(position)` says whether the owner's element there is `id`.
    func position(of id: CredentialID, matches: (Int) -> Bool) -> Int? {
        guard let slot = slot(of: id, matches: matches) else { return nil }
        return Self.position(slots[slot])
    }

    /// Indexes `id` at `position`, in place of the position it had if it was indexed already (`matches(position)`
    /// says whether the owner's element there is `id`).
    mutating func insert(_ id: CredentialID, at position: Int, matches: (Int) -> Bool) {
        precondition(position >= 0 && position < Int(UInt32.max), "position out of range")
        if Self.slotCount(for: count + 1) > slots.count { rehash(slotCount: Self.slotCount(for: count + 1)) }
        let tag = Self.tag(id)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: tag) & mask
        while slots[slot] != 0 {
            if UInt32(truncatingIfNeeded: slots[slot] >> 32) == tag && matches(Self.position(slots[slot])) { break }
            slot = (slot + 1) & mask
        }
        if slots[slot] == 0 { count += 1 }
        slots[slot] = UInt64(tag) << 32 | UInt64(position + 1)
    }

    /// Removes `id` and returns the position it had, or nil if it was not indexed.
    mutating func remove(_ id: CredentialID, matches: (Int) -> Bool) -> Int? {
        guard let slot = slot(of: id, matches: matches) else { return nil }
        let position = Self.position(slots[slot])
        vacate(slot)
        count -= 1
        return position
    }

    /// Points `id`, indexed at `old`, to `new` (the owner moved its element).
    mutating func move(_ id: CredentialID, from old: Int, to new: Int) {
        guard let slot = slot(of: id, matches: { $0 == old }) else { return }
        slots[slot] = slots[slot] & 0xFFFF_FFFF_0000_0000 | UInt64(new + 1)
    }

    private func slot(of id: CredentialID, matches: (Int) -> Bool) -> Int? {
        guard count > 0 else { return nil }
        let tag = Self.tag(id)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: tag) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            if UInt32(truncatingIfNeeded: entry >> 32) == tag && matches(Self.position(entry)) { return slot }
            slot = (slot + 1) & mask
        }
    }

    /// Empties `slot` and moves back each later slot of its run whose home is at or before the hole, so that every
    /// entry stays reachable from its home without tombstones.
    private mutating func vacate(_ start: Int) {
        let mask = slots.count - 1
        var hole = start
        var next = (start + 1) & mask
        slots[hole] = 0
        while slots[next] != 0 {
            let home = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: slots[next] >> 32)) & mask
            // `next`'s entry may fill the hole when the hole lies on its probe path, from its home up to `next`.
            if (next &- home) & mask >= (next &- hole) & mask {
                slots[hole] = slots[next]
                slots[next] = 0
                hole = next
            }
            next = (next + 1) & mask
        }
    }

    private mutating func rehash(slotCount: Int) {
        let old = slots
        slots = Array(repeating: 0, count: slotCount)
        let mask = slotCount - 1
        for entry in old where entry != 0 {
            var slot = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: entry >> 32)) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }

    /// The smallest power of two (at least 8) that holds `count` entries at most 70 % full.
    private static func slotCount(for count: Int) -> Int {
        var slots = 8
        while slots * 7 < count * 10 { slots *= 2 }
        return slots
    }

    private static func tag(_ id: CredentialID) -> UInt32 { UInt32(truncatingIfNeeded: id.hashValue) }

    private static func position(_ entry: UInt64) -> Int { Int(entry & 0xFFFF_FFFF) - 1 }
}
