import CredmonTestKit
import Testing
@testable import Engine

/// The record store's chunks: growth by one chunk, never by a copy of everything; answers as a dictionary would
/// across chunk boundaries.
@Suite("Record store: records in chunks")
struct RecordChunksTests {
    private static func id(_ number: Int) -> CredentialID {
        CredentialID(user: "user\(number)", token: TokenName(service: "svc"))
    }

    @Test("a full store grows by one chunk; the first chunk grows as an array; an emptied last chunk goes")
    func growthByChunks() {
        var store = RecordStore()
        for number in 0..<10 { store[Self.id(number)] = CredentialRecord(id: Self.id(number)) }
        #expect(store.capacity < RecordChunks.chunkSize, "a small store stays small: \(store.capacity)")
        store.reserveCapacity(10_000)
        for number in 10..<(10 * RecordChunks.chunkSize) { store[Self.id(number)] = CredentialRecord(id: Self.id(number)) }
        #expect(store.capacity == 10 * RecordChunks.chunkSize)
        store[Self.id(-1)] = CredentialRecord(id: Self.id(-1))
        #expect(store.capacity == 11 * RecordChunks.chunkSize, "one more record: one more chunk, nothing copied")
        store.removeValue(forKey: Self.id(5))
        #expect(store.capacity == 10 * RecordChunks.chunkSize, "the emptied last chunk goes")
        #expect(store.count == 10 * RecordChunks.chunkSize)
        #expect(store[Self.id(-1)]?.id == Self.id(-1), "the last record moved into the removed one's place")
    }

    @Test("random additions, replacements and removals across chunk boundaries give a dictionary's answers")
    func randomAcrossChunks() {
        var random = SplitMix64(seed: 7)
        let universe = 3 * RecordChunks.chunkSize + 100
        var store = RecordStore()
        var model: [CredentialID: String] = [:]
        for step in 0..<30_000 {
            let number = Int.random(in: 0..<universe, using: &random)
            let id = Self.id(number)
            if Int.random(in: 0..<3, using: &random) < 2 {
                var record = CredentialRecord(id: id)
                record.fingerprint = "\(step)"
                store[id] = record
                model[id] = "\(step)"
            } else {
                #expect(store.removeValue(forKey: id)?.fingerprint == model.removeValue(forKey: id))
            }
        }
        #expect(store.count == model.count)
        for number in 0..<universe { #expect(store[Self.id(number)]?.fingerprint == model[Self.id(number)]) }
        #expect(store.values.count == model.count && Set(store.keys) == Set(model.keys))
        var values = store.values
        values[0].lastError = "changed in a copy"
        #expect(store.values[0].lastError == nil, "the values are a value")
    }
}
