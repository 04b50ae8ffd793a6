import Foundation
import OAuthTestServer
import Testing

/// The options that tell a client when its refresh token expires: `refresh_expires_in` in answers (Keycloak) and JWT
/// refresh tokens with `exp` (INDIGO IAM). Both off by default.
@Suite("Refresh token expiry in answers and in JWT refresh tokens")
struct RefreshTokenExpiryTests {
    /// The payload of a JWT, or nil.
    func payload(_ token: String) -> [String: Any]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    }

    @Test("By default an answer has no refresh_expires_in and refresh tokens are opaque, even when they expire")
    func defaults() async throws {
        let server = try OAuthServer(configuration: .init(refreshTokenLifetime: 100))
        defer { server.stop() }
        let grant = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        #expect(payload(grant.refreshToken) == nil)
        let before = Date()
        let body = try await TestClient(server).refreshOK(grant.refreshToken)
        let after = Date()
        #expect(body["refresh_expires_in"] == nil)
        let rotated = try #require(body["refresh_token"] as? String)
        #expect(payload(rotated) == nil)
        let expiry = try #require(server.refreshTokenExpiry(rotated))
        #expect(expiry >= before.addingTimeInterval(100) && expiry <= after.addingTimeInterval(100), "\(expiry), \(before)…\(after)")
        #expect(server.refreshTokenExpiry("rt-never-issued") == nil)
    }

    @Test("includeRefreshExpiresIn: the seconds the answer's refresh token has left; none without a lifetime")
    func refreshExpiresIn() async throws {
        var configuration = OAuthServer.Configuration(refreshTokenLifetime: 500)
        configuration.includeRefreshExpiresIn = true
        let server = try OAuthServer(configuration: configuration)
        defer { server.stop() }
        let client = TestClient(server)
        let grant = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        let before = Date()
        let body = try await client.refreshOK(grant.refreshToken)
        #expect(body["refresh_expires_in"] as? Int == 500)

        // Without rotation the same token comes back, with what it has left.
        server.updateConfiguration { $0.rotateRefreshTokens = false }
        let kept = try #require(body["refresh_token"] as? String)
        server.advanceClock(by: .seconds(200))
        let again = try await client.refreshOK(kept)
        let waited = Int(Date().timeIntervalSince(before).rounded(.up))
        #expect(again["refresh_token"] as? String == kept)
        let left = try #require(again["refresh_expires_in"] as? Int)
        #expect(left <= 300 && left >= 300 - waited - 1, "\(left) left \(waited) s after the token was issued")

        server.updateConfiguration { $0.refreshTokenLifetime = nil }
        let forever = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "bob")
        #expect(try await client.refreshOK(forever.refreshToken)["refresh_expires_in"] == nil)
    }

    @Test("refreshTokenFormat .jwt: exp = iat + the lifetime, a fresh jti each, and the token refreshes like any other")
    func jwtRefreshTokens() async throws {
        var configuration = OAuthServer.Configuration(refreshTokenLifetime: 86400)
        configuration.refreshTokenFormat = .jwt
        let server = try OAuthServer(configuration: configuration)
        defer { server.stop() }
        let grant = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        let claims = try #require(payload(grant.refreshToken), "not a JWT: \(grant.refreshToken)")
        let iat = try #require(claims["iat"] as? Int)
        #expect(claims["exp"] as? Int == iat + 86400)
        #expect(claims["sub"] as? String == "alice" && claims["aud"] as? String == "credmon-test")
        #expect(claims["exp"] as? Int == Int(try #require(server.refreshTokenExpiry(grant.refreshToken)).timeIntervalSince1970.rounded()))

        let body = try await TestClient(server).refreshOK(grant.refreshToken)
        let rotated = try #require(body["refresh_token"] as? String)
        let rotatedClaims = try #require(payload(rotated))
        #expect(rotatedClaims["jti"] as? String != claims["jti"] as? String)
        #expect(server.isActive(refreshToken: rotated) && !server.isActive(refreshToken: grant.refreshToken))
        #expect(server.grant(forRefreshToken: rotated)?.id == server.grant(forRefreshToken: grant.refreshToken)?.id)

        // Refresh tokens that never expire carry no exp.
        server.updateConfiguration { $0.refreshTokenLifetime = nil }
        let forever = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "bob")
        #expect(payload(forever.refreshToken).map { $0["exp"] == nil } == true)
    }
}
