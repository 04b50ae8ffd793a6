import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import OAuthTestServer

@Suite("The refresh_token grant and client authentication")
struct RefreshTests {
    @Test("A refresh with client_secret_post and one with client_secret_basic both succeed", arguments: [
        TestClient.Authentication.post, .basic,
    ])
    func refresh(auth: TestClient.Authentication) async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let seeded = server.issueGrant(clientID: "credmon-test", scope: "openid offline_access", subject: "alice")
        let (data, response) = try await client.refresh(seeded.refreshToken, auth: auth)
        #expect(response.statusCode == 200)
        #expect(header(response, "Content-Type") == "application/json")
        #expect(header(response, "Cache-Control") == "no-store")
        let body = try json(data)
        let accessToken = try #require(body["access_token"] as? String)
        #expect(body["token_type"] as? String == "Bearer")
        #expect(body["expires_in"] as? Int == 3600)
        #expect(body["scope"] as? String == "openid offline_access")
        #expect(body["refresh_token"] as? String != nil)
        #expect(server.isActive(accessToken: accessToken))

        let logged = try #require(server.requests(to: "/token").last)
        #expect(logged.clientAuthentication == (auth == .basic ? .basic : .post))
        #expect(logged.authorizationHeaderPresent == (auth == .basic))
        #expect(logged.form["grant_type"] == "refresh_token")
        #expect(logged.form["refresh_token"] == seeded.refreshToken)
        #expect(logged.form["client_secret"] == (auth == .post ? "credmon-test-secret" : nil))
        #expect(logged.status == 200)
    }

    @Test("Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1): `:`, `+`, space and `%` survive")
    func basicEncoding() async throws {
        let odd = OAuthServer.Client(id: "id:with+plus sp%41ce", secret: "s:e+c r%2Bt%")
        let server = try OAuthServer(configuration: .init(clients: [odd]))
        defer { server.stop() }
        let client = TestClient(server, client: odd)
        let grant = server.issueGrant(clientID: odd.id, scope: "read", subject: "bob")

        // Encoded properly: accepted.
        let (_, good) = try await client.refresh(grant.refreshToken, auth: .basic)
        #expect(good.statusCode == 200)
        #expect(server.requests(to: "/token").last?.clientAuthentication == .basic)

        // Raw (a client bug): `:` splits the id, `+` becomes a space, `%41` becomes `A` — rejected.
        let current = try #require(server.grant(forRefreshToken: grant.refreshToken)?.currentRefreshToken)
        let (data, raw) = try await client.refresh(current, auth: .rawBasic)
        #expect(raw.statusCode == 401)
        #expect(oauthError(data) == "invalid_client")

        // client_secret_post carries the same values in the form encoding too.
        let (_, post) = try await client.refresh(current, auth: .post)
        #expect(post.statusCode == 200)
    }

    @Test("A lenient server (`basicCredentialEncoding: .raw`) reads Basic credentials without decoding")
    func rawBasicMode() async throws {
        let odd = OAuthServer.Client(id: "plain", secret: "a+b")
        let server = try OAuthServer(configuration: .init(clients: [odd], basicCredentialEncoding: .raw))
        defer { server.stop() }
        let client = TestClient(server, client: odd)
        let grant = server.issueGrant(clientID: odd.id, scope: "read", subject: "bob")
        let (_, raw) = try await client.refresh(grant.refreshToken, auth: .rawBasic)
        #expect(raw.statusCode == 200)
    }

    @Test("Rotation: the response carries a new refresh token, the old one is dead, the new one works")
    func rotation() async throws {
        let server = try OAuthServer(configuration: .init(reuseKillsGrant: false))
        defer { server.stop() }
        let client = TestClient(server)
        let first = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice").refreshToken
        let second = try #require(try await client.refreshOK(first)["refresh_token"] as? String)
        #expect(second != first)
        #expect(!server.isActive(refreshToken: first))
        #expect(server.isActive(refreshToken: second))

        let (data, old) = try await client.refresh(first)
        #expect(old.statusCode == 400)
        #expect(oauthError(data) == "invalid_grant")
        // Without reuse detection the grant survives.
        #expect(server.isActive(refreshToken: second))
        let third = try await client.refreshOK(second)["refresh_token"] as? String
        #expect(third != nil && third != second)
        #expect(server.grant(forRefreshToken: first)?.refreshCount == 2)
    }

    @Test("Reuse of a rotated refresh token is invalid_grant and kills the grant (Box mode)")
    func reuseKillsGrant() async throws {
        let server = try OAuthServer()  // rotation + reuseKillsGrant are the defaults
        defer { server.stop() }
        let client = TestClient(server)
        let first = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice").refreshToken
        let response = try await client.refreshOK(first)
        let second = try #require(response["refresh_token"] as? String)
        let access = try #require(response["access_token"] as? String)

        let (data, reused) = try await client.refresh(first)
        #expect(reused.statusCode == 400)
        #expect(oauthError(data) == "invalid_grant")
        #expect(!server.isActive(refreshToken: second))
        #expect(!server.isActive(accessToken: access))
        #expect(server.grant(forRefreshToken: first)?.revocationReason == .refreshTokenReuse)

        let (after, dead) = try await client.refresh(second)
        #expect(dead.statusCode == 400)
        #expect(oauthError(after) == "invalid_grant")
    }

    @Test("Reuse window (retireOnSuccessorUse): a token stays valid until its successor is used, then reuse kills the grant")
    func retireOnSuccessorUse() async throws {
        let server = try OAuthServer(configuration: .init(retireOnSuccessorUse: true))
        defer { server.stop() }
        let client = TestClient(server)
        let first = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice").refreshToken
        let lost = try #require(try await client.refreshOK(first)["refresh_token"] as? String)
        // The answer was "lost": the client presents the same token again and gets another successor.
        #expect(server.isActive(refreshToken: first))
        let second = try #require(try await client.refreshOK(first)["refresh_token"] as? String)
        #expect(second != lost)
        // Using the successor retires every earlier token; presenting one of them is reuse.
        let third = try #require(try await client.refreshOK(second)["refresh_token"] as? String)
        #expect(!server.isActive(refreshToken: first))
        #expect(server.isActive(refreshToken: second) && server.isActive(refreshToken: third))
        let (data, reused) = try await client.refresh(first)
        #expect(reused.statusCode == 400)
        #expect(oauthError(data) == "invalid_grant")
        #expect(server.grant(forRefreshToken: first)?.revocationReason == .refreshTokenReuse)
        #expect(!server.isActive(refreshToken: third))
    }

    @Test("Grace mode (OneDrive-like): the old refresh token keeps working after rotation")
    func grace() async throws {
        let server = try OAuthServer(configuration: .init(oldRefreshTokenGrace: true))
        defer { server.stop() }
        let client = TestClient(server)
        let first = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice").refreshToken
        let second = try #require(try await client.refreshOK(first)["refresh_token"] as? String)
        #expect(second != first)
        #expect(server.isActive(refreshToken: first))
        let again = try await client.refreshOK(first)
        #expect(again["refresh_token"] as? String != nil)
        _ = try await client.refreshOK(second)
        #expect(server.grant(forRefreshToken: first)?.isRevoked == false)
    }

    @Test("Without rotation the same refresh token comes back, or none with omitRefreshTokenInRefreshResponse",
          arguments: [false, true])
    func noRotation(omit: Bool) async throws {
        let server = try OAuthServer(configuration: .init(rotateRefreshTokens: false, omitRefreshTokenInRefreshResponse: omit))
        defer { server.stop() }
        let client = TestClient(server)
        let token = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice").refreshToken
        for _ in 0..<3 {
            let body = try await client.refreshOK(token)
            #expect(body["access_token"] as? String != nil)
            if omit {
                #expect(body["refresh_token"] == nil)
            } else {
                #expect(body["refresh_token"] as? String == token)
            }
        }
        #expect(server.isActive(refreshToken: token))
    }

    @Test("Unknown client, wrong secret, missing credentials: 401 invalid_client (WWW-Authenticate: Basic when Basic was used)", arguments: [
        TestClient.Authentication.post, .basic, .none,
    ])
    func invalidClient(auth: TestClient.Authentication) async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let grant = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        let wrong = TestClient(server, client: .init(id: "credmon-test", secret: "not-the-secret"))
        let (data, response) = try await wrong.refresh(grant.refreshToken, auth: auth)
        #expect(response.statusCode == 401)
        #expect(oauthError(data) == "invalid_client")
        if auth == .basic {
            #expect(header(response, "WWW-Authenticate")?.hasPrefix("Basic") == true)
        } else {
            #expect(header(response, "WWW-Authenticate") == nil)
        }
        #expect(header(response, "Content-Type") == "application/json")

        let stranger = TestClient(server, client: .init(id: "nobody", secret: "x"))
        let (unknown, unknownResponse) = try await stranger.refresh(grant.refreshToken, auth: auth == .none ? .post : auth)
        #expect(unknownResponse.statusCode == 401)
        #expect(oauthError(unknown) == "invalid_client")
        // Nothing happened to the grant.
        #expect(server.isActive(refreshToken: grant.refreshToken))
    }

    @Test("A client restricted to one method is refused the other")
    func restrictedMethod() async throws {
        let basicOnly = OAuthServer.Client(id: "basic-only", secret: "s", authMethods: [.basic])
        let server = try OAuthServer(configuration: .init(clients: [basicOnly]))
        defer { server.stop() }
        let client = TestClient(server, client: basicOnly)
        let grant = server.issueGrant(clientID: basicOnly.id, scope: "read", subject: "alice")
        let (data, post) = try await client.refresh(grant.refreshToken, auth: .post)
        #expect(post.statusCode == 401)
        #expect(oauthError(data) == "invalid_client")
        let (_, basic) = try await client.refresh(grant.refreshToken, auth: .basic)
        #expect(basic.statusCode == 200)
    }

    @Test("Both authentication methods at once is invalid_request")
    func bothMethods() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let grant = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        let form: FormBody = ["grant_type": "refresh_token", "refresh_token": grant.refreshToken,
                              "client_id": "credmon-test", "client_secret": "credmon-test-secret"]
        let (data, response) = try await client.post("/token", form, auth: .basic)
        #expect(response.statusCode == 400)
        #expect(oauthError(data) == "invalid_request")
        #expect(server.isActive(refreshToken: grant.refreshToken))
    }

    @Test("A refresh token of another client is invalid_grant")
    func otherClientsToken() async throws {
        let other = OAuthServer.Client(id: "other", secret: "other-secret")
        let server = try OAuthServer(configuration: .init(clients: [.default, other]))
        defer { server.stop() }
        let grant = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        let (data, response) = try await TestClient(server, client: other).refresh(grant.refreshToken)
        #expect(response.statusCode == 400)
        #expect(oauthError(data) == "invalid_grant")
    }

    @Test("Unknown, revoked and expired refresh tokens are invalid_grant")
    func deadTokens() async throws {
        let server = try OAuthServer(configuration: .init(refreshTokenLifetime: 100))
        defer { server.stop() }
        let client = TestClient(server)
        let (unknown, unknownResponse) = try await client.refresh("rt-never-issued")
        #expect(unknownResponse.statusCode == 400)
        #expect(oauthError(unknown) == "invalid_grant")

        let revoked = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        server.revokeGrant(try #require(server.grant(forRefreshToken: revoked.refreshToken)).id)
        let (revokedData, _) = try await client.refresh(revoked.refreshToken)
        #expect(oauthError(revokedData) == "invalid_grant")

        let expiring = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        server.advanceClock(by: .seconds(101))
        #expect(!server.isActive(refreshToken: expiring.refreshToken))
        #expect(server.isActive(accessToken: expiring.accessToken))  // 3600 s access tokens outlive it
        let (expiredData, _) = try await client.refresh(expiring.refreshToken)
        #expect(oauthError(expiredData) == "invalid_grant")
    }

    @Test("unsupported_grant_type, and invalid_request for missing parameters or a non-form body")
    func malformedTokenRequests() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let (unsupported, unsupportedResponse) = try await client.post("/token", ["grant_type": "password", "username": "a", "password": "a"])
        #expect(unsupportedResponse.statusCode == 400)
        #expect(oauthError(unsupported) == "unsupported_grant_type")

        let (noGrant, _) = try await client.post("/token", [:])
        #expect(oauthError(noGrant) == "invalid_request")
        let (noToken, _) = try await client.post("/token", ["grant_type": "refresh_token"])
        #expect(oauthError(noToken) == "invalid_request")
        let (empty, _) = try await client.post("/token", ["grant_type": "refresh_token", "refresh_token": ""])
        #expect(oauthError(empty) == "invalid_request")
        let (repeated, _) = try await client.post("/token", ["grant_type": "refresh_token", "refresh_token": "a", "refresh_token": "b"])
        #expect(oauthError(repeated) == "invalid_request")

        let (jsonBody, jsonResponse) = try await client.post("/token", ["grant_type": "refresh_token"], contentType: "application/json")
        #expect(jsonResponse.statusCode == 400)
        #expect(oauthError(jsonBody) == "invalid_request")
        // A charset parameter is fine.
        let grant = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        let (_, charset) = try await client.post("/token", ["grant_type": "refresh_token", "refresh_token": grant.refreshToken],
                                                 contentType: "application/x-www-form-urlencoded; charset=UTF-8")
        #expect(charset.statusCode == 200)
    }

    @Test("A narrower scope is granted on refresh; a wider one is invalid_scope")
    func scope() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let token = server.issueGrant(clientID: "credmon-test", scope: "read write", subject: "alice").refreshToken
        let narrowed = try await client.refreshOK(token, scope: "read")
        #expect(narrowed["scope"] as? String == "read")
        let next = try #require(narrowed["refresh_token"] as? String)

        let (data, response) = try await client.refresh(next, scope: "read admin")
        #expect(response.statusCode == 400)
        #expect(oauthError(data) == "invalid_scope")
        // A refused scope does not rotate.
        #expect(server.isActive(refreshToken: next))
        // The grant keeps its full scope.
        #expect(try await client.refreshOK(next)["scope"] as? String == "read write")
    }
}
