import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import OAuthTestServer

@Suite("Revocation (RFC 7009), introspection (RFC 7662), userinfo and client_credentials")
struct RevocationTests {
    @Test("Revoking a refresh token revokes its grant's access tokens too", arguments: [
        TestClient.Authentication.post, .basic,
    ])
    func revokeRefreshToken(auth: TestClient.Authentication) async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let seeded = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        let refreshed = try await client.refreshOK(seeded.refreshToken)
        let refreshToken = try #require(refreshed["refresh_token"] as? String)
        let accessToken = try #require(refreshed["access_token"] as? String)
        #expect(server.isActive(accessToken: seeded.accessToken))

        let (_, response) = try await client.post("/revoke", ["token": refreshToken, "token_type_hint": "refresh_token"], auth: auth)
        #expect(response.statusCode == 200)
        #expect(!server.isActive(refreshToken: refreshToken))
        #expect(!server.isActive(accessToken: accessToken))
        #expect(!server.isActive(accessToken: seeded.accessToken))
        #expect(server.grant(forRefreshToken: refreshToken)?.revocationReason == .revocationRequest)
        #expect(server.requests(to: "/revoke").last?.clientAuthentication == (auth == .basic ? .basic : .post))

        let (data, refresh) = try await client.refresh(refreshToken)
        #expect(refresh.statusCode == 400)
        #expect(oauthError(data) == "invalid_grant")
    }

    @Test("Revoking an access token revokes only it")
    func revokeAccessToken() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let seeded = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        let (_, response) = try await client.post("/revoke", ["token": seeded.accessToken, "token_type_hint": "access_token"])
        #expect(response.statusCode == 200)
        #expect(!server.isActive(accessToken: seeded.accessToken))
        #expect(server.isActive(refreshToken: seeded.refreshToken))
    }

    @Test("Unknown tokens are still 200; a missing token is invalid_request; a bad client is 401 invalid_client")
    func revocationErrors() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let (unknownBody, unknown) = try await client.post("/revoke", ["token": "rt-no-such-token"])
        #expect(unknown.statusCode == 200)
        #expect(unknownBody.isEmpty)

        let (missing, missingResponse) = try await client.post("/revoke", ["token_type_hint": "refresh_token"])
        #expect(missingResponse.statusCode == 400)
        #expect(oauthError(missing) == "invalid_request")

        let seeded = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        let impostor = TestClient(server, client: .init(id: "credmon-test", secret: "wrong"))
        let (bad, badResponse) = try await impostor.post("/revoke", ["token": seeded.refreshToken], auth: .basic)
        #expect(badResponse.statusCode == 401)
        #expect(oauthError(bad) == "invalid_client")
        #expect(header(badResponse, "WWW-Authenticate") != nil)
        #expect(server.isActive(refreshToken: seeded.refreshToken))
    }

    @Test("Another client cannot revoke a token it was not issued")
    func revokeOthersToken() async throws {
        let other = OAuthServer.Client(id: "other", secret: "other-secret")
        let server = try OAuthServer(configuration: .init(clients: [.default, other]))
        defer { server.stop() }
        let seeded = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        let (data, response) = try await TestClient(server, client: other).post("/revoke", ["token": seeded.refreshToken])
        #expect(response.statusCode == 400)
        #expect(oauthError(data) == "unauthorized_client")
        #expect(server.isActive(refreshToken: seeded.refreshToken))
    }

    @Test("Introspection reports active tokens with their details, and inactive ones as only active=false")
    func introspection() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let seeded = server.issueGrant(clientID: "credmon-test", scope: "read write", subject: "alice")

        let (accessData, accessResponse) = try await client.post("/introspect", ["token": seeded.accessToken])
        #expect(accessResponse.statusCode == 200)
        let access = try json(accessData)
        #expect(access["active"] as? Bool == true)
        #expect(access["scope"] as? String == "read write")
        #expect(access["client_id"] as? String == "credmon-test")
        #expect(access["sub"] as? String == "alice")
        #expect(access["token_type"] as? String == "Bearer")
        let exp = try #require(access["exp"] as? Int)
        #expect(abs(Double(exp) - Date().timeIntervalSince1970 - 3600) < 60)

        let refresh = try json(try await client.post("/introspect", ["token": seeded.refreshToken], auth: .basic).0)
        #expect(refresh["active"] as? Bool == true)
        #expect(refresh["sub"] as? String == "alice")

        _ = try await client.post("/revoke", ["token": seeded.refreshToken])
        for token in [seeded.accessToken, seeded.refreshToken, "garbage"] {
            let dead = try json(try await client.post("/introspect", ["token": token]).0)
            #expect(dead["active"] as? Bool == false)
            #expect(dead.count == 1)
        }

        let (unauthenticated, response) = try await client.post("/introspect", ["token": seeded.accessToken], auth: .none)
        #expect(response.statusCode == 401)
        #expect(oauthError(unauthenticated) == "invalid_client")
    }

    @Test("An access token expires with the server clock")
    func accessTokenExpiry() async throws {
        let server = try OAuthServer(configuration: .init(accessTokenLifetime: 60))
        defer { server.stop() }
        let seeded = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        #expect(server.isActive(accessToken: seeded.accessToken))
        server.advanceClock(by: .seconds(61))
        #expect(!server.isActive(accessToken: seeded.accessToken))
        #expect(server.isActive(refreshToken: seeded.refreshToken))
        let introspected = try json(try await TestClient(server).post("/introspect", ["token": seeded.accessToken]).0)
        #expect(introspected["active"] as? Bool == false)
    }

    @Test("client_credentials: an access token and no refresh token")
    func clientCredentials() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let (data, response) = try await client.post("/token", ["grant_type": "client_credentials", "scope": "compute.read"], auth: .basic)
        #expect(response.statusCode == 200)
        #expect(header(response, "Cache-Control") == "no-store")
        let body = try json(data)
        let token = try #require(body["access_token"] as? String)
        #expect(body["refresh_token"] == nil)
        #expect(body["token_type"] as? String == "Bearer")
        #expect(body["scope"] as? String == "compute.read")
        #expect(server.isActive(accessToken: token))
        let introspected = try json(try await client.post("/introspect", ["token": token]).0)
        #expect(introspected["client_id"] as? String == "credmon-test")
    }

    @Test("client_credentials outside a client's allowed scopes is invalid_scope")
    func clientCredentialsScope() async throws {
        let limited = OAuthServer.Client(id: "limited", secret: "s", allowedScopes: ["read"])
        let server = try OAuthServer(configuration: .init(clients: [limited]))
        defer { server.stop() }
        let client = TestClient(server, client: limited)
        let (data, response) = try await client.post("/token", ["grant_type": "client_credentials", "scope": "read write"])
        #expect(response.statusCode == 400)
        #expect(oauthError(data) == "invalid_scope")
    }

    @Test("userinfo answers a Bearer token with sub, name and email; 401 otherwise")
    func userinfo() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let seeded = server.issueGrant(clientID: "credmon-test", scope: "openid", subject: "alice")
        let (data, response) = try await client.get("/userinfo", headers: ["Authorization": "Bearer \(seeded.accessToken)"])
        #expect(response.statusCode == 200)
        let body = try json(data)
        #expect(body["sub"] as? String == "alice")
        #expect(body["name"] as? String == "alice")
        #expect(body["email"] as? String == "alice@example.org")

        let (_, missing) = try await client.get("/userinfo")
        #expect(missing.statusCode == 401)
        #expect(header(missing, "WWW-Authenticate")?.hasPrefix("Bearer") == true)
        let (invalidBody, invalid) = try await client.get("/userinfo", headers: ["Authorization": "Bearer at-bogus"])
        #expect(invalid.statusCode == 401)
        #expect(oauthError(invalidBody) == "invalid_token")
        #expect(header(invalid, "WWW-Authenticate")?.contains("invalid_token") == true)
    }
}
