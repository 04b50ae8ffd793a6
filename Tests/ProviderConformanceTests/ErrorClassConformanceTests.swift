import Engine
import Foundation
import Testing

/// How failures are classified for the engine: terminal when retrying cannot help, transient otherwise.
@Suite("Conformance: error classes")
struct ErrorClassConformanceTests {
    /// The subjects whose error classes apply; the others say why not in their subject.
    static let subjects = ConformanceSubjects.all.filter {
        if case .applies = $0.errorClasses { return true }
        return false
    }

    /// Refreshes a fresh credential of `subject` and returns the provider error it throws.
    private func refreshFailure(_ subject: ConformanceSubject, _ fixture: ConformanceFixture, seed: SeedFile? = nil, keys: [String]? = nil,
                                sourceLocation: SourceLocation = #_sourceLocation) async throws -> ProviderError? {
        let provider = try fixture.build(subject, keys: keys)
        let request = fixture.request(seed ?? fixture.seed(for: subject).seed)
        return await #expect(throws: ProviderError.self, sourceLocation: sourceLocation) {
            _ = try await provider.refresh(request)
        }
    }

    @Test("a refused grant is terminal", arguments: subjects)
    func refusedGrant(_ subject: ConformanceSubject) async throws {
        let fixture = try ConformanceFixture(rotate: subject.rotatesSeed)
        let (seed, refreshToken) = fixture.seed(for: subject)
        if case .unregisteredClient = subject.refusal {
            fixture.server.updateConfiguration { $0.clients = [] }
            let error = try await refreshFailure(subject, fixture, seed: seed)
            #expect(error?.disposition == .terminal)
            #expect(error?.code == .server("invalid_client"))
            return
        }
        let token = try #require(refreshToken)
        let grant = try #require(fixture.server.grant(forRefreshToken: token))
        fixture.server.revokeGrant(grant.id)
        let error = try await refreshFailure(subject, fixture, seed: seed)
        if case .revokedVaultToken = subject.refusal {
            #expect(error?.disposition == .discard, "a dead Vault token discards the credential")
            #expect(error?.code == .seedRejected)
            return
        }
        #expect(error?.disposition == .terminal)
        #expect(error?.code == .server("invalid_grant"))
    }

    @Test("HTTP 503 is transient", arguments: subjects)
    func serviceUnavailable(_ subject: ConformanceSubject) async throws {
        let fixture = try ConformanceFixture(rotate: subject.rotatesSeed)
        fixture.server.inject(.status(503, body: "down for maintenance"), path: subject.tokenPath)
        let error = try await refreshFailure(subject, fixture)
        #expect(error?.disposition == .transient)
        #expect(error?.retryAfter == nil, "no Retry-After was sent")
    }

    @Test("Retry-After is carried", arguments: subjects)
    func retryAfter(_ subject: ConformanceSubject) async throws {
        let fixture = try ConformanceFixture(rotate: subject.rotatesSeed)
        fixture.server.inject(.tooManyRequests(retryAfter: 42), path: subject.tokenPath)
        let error = try await refreshFailure(subject, fixture)
        #expect(error?.disposition == .transient)
        #expect(error?.retryAfter == 42)
    }

    @Test("a network error (the server is gone) is transient", arguments: subjects)
    func networkError(_ subject: ConformanceSubject) async throws {
        let fixture = try ConformanceFixture(rotate: subject.rotatesSeed)
        let seed = fixture.seed(for: subject).seed
        fixture.server.stopHoldingPort()  // refused, and the port cannot go to another test's server
        // The HTTP client retries a refused connection until the request's deadline: keep it short.
        let error = try await refreshFailure(subject, fixture, seed: seed, keys: subject.keys(fixture).setting("timeout", to: "1"))
        #expect(error?.disposition == .transient)
        #expect(error?.code == .network)
    }

    @Test("every kind whose error classes do not apply says why")
    func notApplicableIsDeclared() {
        for subject in ConformanceSubjects.all {
            if case .notApplicable(let reason) = subject.errorClasses {
                #expect(!reason.isEmpty, "\(subject.kind.kind): say why the error classes do not apply")
            }
        }
    }
}
