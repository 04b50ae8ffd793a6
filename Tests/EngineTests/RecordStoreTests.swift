import CredmonTestKit
import Foundation
import Testing
@testable import Engine

/// The monitor's record store (an array and a ``CredentialIndex`` into it) answers as a dictionary of the same records
/// would, through any sequence of additions, replacements and removals, and through the index's growth.
@Suite("Record store: a dictionary's answers from an array and a compact index")
struct RecordStoreTests {
    private static func id(_ number: Int) -> CredentialID {
        CredentialID(user: "user\(number / 3)", token: TokenName(service: ["scitokens", "box", "cilogon"][number % 3]))
    }

    private static func record(_ number: Int, version: Int) -> CredentialRecord {
        var record = CredentialRecord(id: id(number))
        record.fingerprint = "\(number)-\(version)"
        return record
    }

    /// Every ID of the model is found with the model's record, none other is, and the count and iteration agree.
    private static func expectSame(_ store: RecordStore, _ model: [CredentialID: CredentialRecord], universe: Int,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(store.count == model.count, sourceLocation: sourceLocation)
        for number in 0..<universe {
            let id = id(number)
            #expect(store[id]?.fingerprint == model[id]?.fingerprint, "\(id)", sourceLocation: sourceLocation)
        }
        var iterated: [CredentialID: String] = [:]
        for (id, record) in store {
            #expect(id == record.id, sourceLocation: sourceLocation)
            #expect(iterated.updateValue(record.fingerprint ?? "", forKey: id) == nil, "\(id) twice", sourceLocation: sourceLocation)
        }
        #expect(iterated == model.mapValues { $0.fingerprint ?? "" }, sourceLocation: sourceLocation)
        #expect(Set(store.keys) == Set(model.keys), sourceLocation: sourceLocation)
    }

    @Test("random additions, replacements and removals give a dictionary's answers", arguments: [1, 2, 3, 4])
    func randomOperations(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let universe = 600
        var store = RecordStore()
        var model: [CredentialID: CredentialRecord] = [:]
        for step in 0..<6_000 {
            let number = Int.random(in: 0..<universe, using: &random)
            let id = Self.id(number)
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                let record = Self.record(number, version: step)
                store[id] = record
                model[id] = record
            case 5..<8:
                #expect(store.removeValue(forKey: id)?.fingerprint == model.removeValue(forKey: id)?.fingerprint)
            case 8:
                store[id] = nil
                model[id] = nil
            default:
                store[id]?.lastError = "step \(step)"
                model[id]?.lastError = "step \(step)"
                #expect(store[id]?.lastError == model[id]?.lastError)
            }
            if step % 500 == 0 { Self.expectSame(store, model, universe: universe) }
        }
        Self.expectSame(store, model, universe: universe)
        for id in model.keys { store.removeValue(forKey: id) }
        #expect(store.isEmpty)
        Self.expectSame(store, [:], universe: universe)
    }

    @Test("a store grown from empty and one reserved for its size hold the same; removing all in any order empties it")
    func growthAndReserve() {
        var grown = RecordStore()
        var reserved = RecordStore()
        reserved.reserveCapacity(5_000)
        var model: [CredentialID: CredentialRecord] = [:]
        for number in 0..<5_000 {
            let record = Self.record(number, version: 0)
            grown[record.id] = record
            reserved[record.id] = record
            model[record.id] = record
        }
        Self.expectSame(grown, model, universe: 5_100)
        Self.expectSame(reserved, model, universe: 5_100)
        var random = SplitMix64(seed: 99)
        for number in (0..<5_000).shuffled(using: &random) {
            let id = Self.id(number)
            #expect(grown.removeValue(forKey: id)?.id == id)
            model[id] = nil
            if number % 700 == 0 { Self.expectSame(grown, model, universe: 5_000) }
        }
        #expect(grown.isEmpty)
        #expect(grown.removeValue(forKey: Self.id(0)) == nil)
    }

    @Test("a store reserved for 10,000 takes one more by growing a quarter, not by doubling")
    func growsByAQuarter() {
        var store = RecordStore()
        store.reserveCapacity(10_000)
        for number in 0..<10_001 { let record = Self.record(number, version: 0); store[record.id] = record }
        #expect(store.count == 10_001)
        #expect(store.capacity >= 10_001 && store.capacity < 13_000, "capacity \(store.capacity)")
    }

    @Test("updateEach changes every record in place, and a copy taken before keeps the old values")
    func updateEachAndValueSemantics() {
        var store = RecordStore()
        for number in 0..<50 { let record = Self.record(number, version: 0); store[record.id] = record }
        let before = store
        store.updateEach { $0.state = $0.id.user == "user1" ? .unowned : .valid }
        #expect(store.values.filter { $0.state == .unowned }.count == 3)
        #expect(store.values.filter { $0.state == .valid }.count == 47)
        #expect(before.values.allSatisfy { $0.state == .pending }, "the copy is a value")
        #expect(store[Self.id(4)]?.state == .unowned)
    }

    @Test("the index finds positions as a dictionary would, and a moved position is found where it went")
    func indexPositions() {
        var index = CredentialIndex()
        var ids: [CredentialID] = (0..<300).map(Self.id)
        for (position, id) in ids.enumerated() { index.insert(id, at: position) { ids[$0] == id } }
        #expect(index.count == 300)
        for (position, id) in ids.enumerated() { #expect(index.position(of: id) { ids[$0] == id } == position) }
        index.insert(ids[7], at: 7) { ids[$0] == ids[7] }
        #expect(index.count == 300, "indexing an ID again replaces its position")
        #expect(index.remove(ids[10]) { ids[$0] == ids[10] } == 10)
        index.move(ids[299], from: 299, to: 10)
        ids[10] = ids[299]
        ids.removeLast()
        #expect(index.count == 299)
        for (position, id) in ids.enumerated() { #expect(index.position(of: id) { ids[$0] == id } == position) }
        #expect(index.position(of: Self.id(10)) { $0 < ids.count && ids[$0] == Self.id(10) } == nil)
    }
}
