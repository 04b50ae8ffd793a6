@testable import CredmonHost
import CredmonTestKit
import Engine
import FoundationEssentials
import Testing

@Suite("The status file: written in pieces, read back whole")
struct StatusReportTests {
    @Test("A status larger than many pieces reads back whole: every credential, its fields, in order")
    func manyPieces() throws {
        let directory = try TemporaryDirectory()
        let token = try #require(TokenName(stem: "scitokens"))
        let records = (0..<3000).map { index in
            var record = CredentialRecord(id: CredentialID(user: "user\(index)", token: token))
            record.provider = "scitokens"
            record.state = index.isMultiple(of: 7) ? .failing : .valid
            if index.isMultiple(of: 7) {
                record.consecutiveFailures = 2
                record.lastError = #"the IdP said "no" \ twice"#
            }
            record.lastRenewal = Date(timeIntervalSince1970: 1_800_000_000 + Double(index))
            return record
        }
        try StatusReport.write(records: records, providers: ["scitokens"], credentialDirectory: "/var/lib/condor/oauth_credentials",
                               to: directory.path, now: Date(timeIntervalSince1970: 1_800_000_000))
        let size = try #require(try FileStatus.of(path: directory.file(StatusReport.fileName))).size
        #expect(size > 10 * StatusReport.chunkSize, "the test covers many pieces (\(size) bytes)")

        let report = try StatusReport.read(from: directory.path)
        #expect(report.credentials.count == records.count)
        #expect(report.credentials.map(\.user) == records.map(\.id.user))
        #expect(report.credentials[7].lastError == records[7].lastError && records[7].lastError?.contains(#""no""#) == true)
        #expect(report.credentials[7].state == "failing" && report.credentials[7].consecutiveFailures == 2)
        #expect(report.credentials[2999].lastRenewal == 1_800_002_999)
        #expect(report.providers == ["scitokens"] && report.generatedAt == 1_800_000_000)
        #expect(report.credentialDirectory == "/var/lib/condor/oauth_credentials")
    }
}
