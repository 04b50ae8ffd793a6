import CredmonWeb
import Foundation
import Testing

/// Issue 12: the index page shows a stored credential's expiry and, when it is expiring or worse, what to do: the
/// same hint the daemon's notification carries.
@Suite("Web: the stored credential's expiry and the login hint")
struct ExpiryOutlookTests {
    static func fixture(lifetime: Int) throws -> WebFixture {
        try WebFixture(fragments: ["issuer.yaml": "name: issuer\nkind: oauth2\nissuer: $SERVER\nrefresh_token_lifetime: \(lifetime)\n"])
    }

    static func storeTop(_ fixture: WebFixture, _ json: String = "{\"refresh_token\":\"opaque-token\"}") throws {
        try FileManager.default.createDirectory(atPath: fixture.file("alice"), withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try Data(json.utf8).write(to: URL(fileURLWithPath: fixture.file("alice/issuer.top")))
    }

    @Test("a credential 2 days from its configured lifetime's end: the expiry line and the delete-oauth hint")
    func expiringShowsHint() async throws {
        let fixture = try Self.fixture(lifetime: 2 * 86_400)
        try Self.storeTop(fixture)
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let page = try await client.get("/key/\(key)")
            #expect(page.status == .ok)
            #expect(page.body.contains("id=\"expiry-issuer\"") && page.body.contains("The stored credential lasts until 20"), "\(page.body)")
            #expect(page.body.contains("id=\"hint-issuer\"") && page.body.contains("condor_store_cred delete-oauth -s issuer"), "\(page.body)")
        }
    }

    @Test("a credential far from expiry: the expiry line (the JWT's exp, to the minute), no hint")
    func farFromExpiry() async throws {
        let fixture = try Self.fixture(lifetime: 2 * 86_400)
        // The refresh token's own exp wins over the configured lifetime: 2030-01-01 00:00 UTC.
        let payload = Data("{\"exp\":1893456000}".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        try Self.storeTop(fixture, "{\"refresh_token\":\"e30.\(payload).sig\"}")
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let page = try await client.get("/key/\(key)")
            #expect(page.body.contains("The stored credential lasts until 2030-01-01 00:00 UTC."), "\(page.body)")
            #expect(!page.body.contains("id=\"hint-issuer\""), "\(page.body)")
        }
    }

    @Test("an expired credential says so, with the hint; no .top: no line at all")
    func expiredAndAbsent() async throws {
        let fixture = try Self.fixture(lifetime: 60)
        try Self.storeTop(fixture)
        let old = Date().addingTimeInterval(-3600)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: fixture.file("alice/issuer.top"))
        let key = try fixture.writeKeyFile([("issuer", ""), ("issuer", "work")])
        try await fixture.test { client in
            let page = try await client.get("/key/\(key)")
            #expect(page.body.contains("The stored credential expired on "), "\(page.body)")
            #expect(page.body.contains("condor_store_cred delete-oauth -s issuer&#39;"), "\(page.body)")
            #expect(!page.body.contains("-H work"), "issuer_work has no .top: \(page.body)")
        }
    }
}
