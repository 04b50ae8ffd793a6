import Foundation
import Testing
@testable import Engine

/// A monitor keeps one record per credential (10,000 on a large access point): records stay compact, and the compact
/// storage reads back what was written.
@Suite("Credential records: compact storage")
struct CredentialRecordLayoutTests {
    private let id = CredentialID(user: "alice", token: TokenName(service: "svc"))

    @Test("A record takes at most 300 bytes")
    func compact() {
        #expect(MemoryLayout<CredentialRecord>.stride <= 300, "stride \(MemoryLayout<CredentialRecord>.stride)")
    }

    @Test("Dates, the estimated seed and every rarely set field read back as written, nil and zero included")
    func roundTrips() {
        var record = CredentialRecord(id: id)
        #expect(record.dueAt == nil && record.lastRenewal == nil && record.lastAttempt == nil)
        #expect(record.expiryEstimatedForSeed == nil && record.consecutiveFailures == 0 && record.lastError == nil)
        #expect(record.vaultStamp == nil && !record.refusedByProvider && record.notified == nil)
        let date = Date(timeIntervalSinceReferenceDate: 812_345_678.123_456)
        record.dueAt = date
        record.lastRenewal = Date(timeIntervalSinceReferenceDate: 0)
        record.lastAttempt = date.addingTimeInterval(-1)
        record.expiryEstimatedForSeed = 0
        #expect(record.dueAt == date && record.lastRenewal == Date(timeIntervalSinceReferenceDate: 0))
        #expect(record.lastAttempt == date.addingTimeInterval(-1) && record.expiryEstimatedForSeed == 0)
        record.expiryEstimatedForSeed = -5
        #expect(record.expiryEstimatedForSeed == -5)
        let stamp = FileStamp(inode: 7, size: 3, modified: 11, changed: 13)
        record.consecutiveFailures = 4
        record.lastError = "refused"
        record.vaultStamp = stamp
        record.refusedByProvider = true
        record.notified = HealthAssessment(.expiring, threshold: 86_400)
        #expect(record.consecutiveFailures == 4 && record.lastError == "refused" && record.vaultStamp == stamp)
        #expect(record.refusedByProvider && record.notified == HealthAssessment(.expiring, threshold: 86_400))
        record.dueAt = nil
        record.consecutiveFailures = 0
        record.lastError = nil
        record.vaultStamp = nil
        record.refusedByProvider = false
        record.notified = nil
        #expect(record.dueAt == nil && record.consecutiveFailures == 0 && record.lastError == nil && record.vaultStamp == nil)
        #expect(!record.refusedByProvider && record.notified == nil)
    }

    @Test("A copied record is a value: changing the copy's rare fields leaves the original as it was")
    func copiesAreValues() {
        var original = CredentialRecord(id: id)
        original.lastError = "first"
        original.consecutiveFailures = 1
        var copy = original
        copy.lastError = "second"
        copy.consecutiveFailures += 1
        copy.refusedByProvider = true
        #expect(original.lastError == "first" && original.consecutiveFailures == 1 && !original.refusedByProvider)
        #expect(copy.lastError == "second" && copy.consecutiveFailures == 2 && copy.refusedByProvider)
        original.lastError = nil
        #expect(copy.lastError == "second")
    }

    @Test("The last error is kept printable and cut at errorLimit characters (and an ellipsis)")
    func errorLimited() {
        var record = CredentialRecord(id: id)
        record.lastError = String(repeating: "x", count: 1_000) + "\u{1}"
        #expect(record.lastError == String(repeating: "x", count: CredentialRecord.errorLimit) + "…")
        record.lastError = "bad\u{1}byte"
        #expect(record.lastError == "bad\\u{1}byte")
    }
}
