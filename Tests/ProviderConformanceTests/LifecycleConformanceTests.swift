import Engine
import Foundation
import Testing

/// fetch / refresh / revoke semantics, the same for every kind.
@Suite("Conformance: fetch, refresh and revoke")
struct LifecycleConformanceTests {
    /// Checks that `update` carries a well-formed access-token file, valid from about `now` on.
    private func expectWellFormed(_ update: CredentialUpdate, now: Date, format: AccessTokenFile.Format = .json,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let file = try AccessTokenFile.parse(update.accessTokenFile, path: "conformance.use")
        #expect(!file.accessToken.isEmpty, sourceLocation: sourceLocation)
        #expect(file.format == format, "HTCondor's .use for the kind (JSON, or Vault's bare token)", sourceLocation: sourceLocation)
        let validity = try #require(update.validity ?? file.validity(fileModified: now), "the token's lifetime is known", sourceLocation: sourceLocation)
        #expect(validity.expiresAt > now, sourceLocation: sourceLocation)
        return file.accessToken
    }

    @Test("fetch gives a well-formed access-token file from the seed", arguments: ConformanceSubjects.all)
    func fetch(_ subject: ConformanceSubject) async throws {
        let fixture = try ConformanceFixture(rotate: subject.rotatesSeed)
        let provider = try fixture.build(subject)
        let (seed, _) = fixture.seed(for: subject)
        let request = fixture.request(seed)
        let token = try expectWellFormed(try await provider.fetch(request), now: request.now, format: subject.accessFileFormat)
        switch subject.seed {
        case .refreshToken, .clientCredentials, .subjectToken, .vaultToken:
            #expect(fixture.server.isActive(accessToken: token), "the server issued it")
        case .placeholder:
            #expect(token.split(separator: ".").count == 3, "a compact JWS")
        }
    }

    @Test("refresh gives a well-formed access-token file, and the rotated seed where the provider rotates", arguments: ConformanceSubjects.all)
    func refresh(_ subject: ConformanceSubject) async throws {
        let fixture = try ConformanceFixture(rotate: subject.rotatesSeed)
        let provider = try fixture.build(subject)
        let (seed, refreshToken) = fixture.seed(for: subject)
        let request = fixture.request(seed)
        let update = try await provider.refresh(request)
        _ = try expectWellFormed(update, now: request.now, format: subject.accessFileFormat)
        if subject.rotatesSeed {
            let rotated = SeedFile.parse(try #require(update.rotatedSeed, "the server rotated: the new seed must come back"))
            let newToken = try #require(rotated.refreshToken)
            #expect(newToken != refreshToken)
            #expect(fixture.server.isActive(refreshToken: newToken))
            if case .json(let object) = rotated { #expect(object["scopes"]?.stringValue == "read:/data", "other .top keys kept") }
        } else {
            #expect(update.rotatedSeed == nil, "nothing rotated: the seed stays as it is")
        }
    }

    @Test("revoking a credential it never saw does not throw", arguments: ConformanceSubjects.all)
    func revokeUnseen(_ subject: ConformanceSubject) async throws {
        let fixture = try ConformanceFixture(rotate: subject.rotatesSeed)
        let provider = try fixture.build(subject)
        try await provider.revoke(RevocationRequest(id: fixture.credential("nobody"), seed: nil, metadata: nil))
        let unknown = SeedFile.parse(Array(#"{"refresh_token":"never-issued"}"#.utf8))
        try await provider.revoke(RevocationRequest(id: fixture.credential("nobody"), seed: unknown, metadata: nil))
        if case .bearerAccessToken = subject.revocation {
            // An unknown refresh token cannot be refreshed to revoke with: the grant is gone, nothing is sent.
            #expect(fixture.server.requests(to: "/userinfo").isEmpty)
        }
    }

    @Test("revoke invalidates what the credential held", arguments: ConformanceSubjects.all)
    func revoke(_ subject: ConformanceSubject) async throws {
        let fixture = try ConformanceFixture(rotate: subject.rotatesSeed)
        let provider = try fixture.build(subject)
        let (seed, refreshToken) = fixture.seed(for: subject)
        try await provider.revoke(RevocationRequest(id: fixture.credential(), seed: seed, metadata: nil))
        switch subject.revocation {
        case .rfc7009:
            let token = try #require(refreshToken)
            #expect(!fixture.server.isActive(refreshToken: token), "RFC 7009: the grant is revoked")
            #expect(fixture.server.requests(to: "/revoke").map(\.status) == [200])
        case .bearerAccessToken:
            let calls = fixture.server.requests(to: "/userinfo")
            #expect(calls.count == 1 && calls.first?.method == "POST")
            let bearer = try #require(calls.first?.headers["authorization"]).dropFirst("Bearer ".count)
            let token = try #require(refreshToken)
            #expect(fixture.server.grant(forAccessToken: String(bearer))?.id == fixture.server.grant(forRefreshToken: token)?.id,
                    "a fresh access token of the credential's own grant")
        case .nothing:
            #expect(fixture.server.requestLog.isEmpty, "nothing to send")
        }
    }
}
