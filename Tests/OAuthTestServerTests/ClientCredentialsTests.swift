import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import OAuthTestServer

fileprivate extension TestClient {
    /// A `client_credentials` request; `extra` is appended to the form as it is (repeats included).
    func clientCredentials(_ extra: FormBody = [:], auth: Authentication = .post) async throws -> (Data, HTTPURLResponse) {
        var form: FormBody = ["grant_type": "client_credentials"]
        form.fields += extra.fields
        return try await post("/token", form, auth: auth)
    }
}

@Suite("The client_credentials grant: no refresh token, expires_in optional, audiences")
struct ClientCredentialsTests {
    @Test("The answer has an access token, expires_in and never a refresh_token (RFC 6749 §4.4.3), whatever the refresh settings",
          arguments: [TestClient.Authentication.post, .basic])
    func noRefreshToken(auth: TestClient.Authentication) async throws {
        // Settings that make refresh responses carry refresh tokens must not leak into client_credentials.
        let server = try OAuthServer(configuration: .init(rotateRefreshTokens: false, omitRefreshTokenInRefreshResponse: false))
        defer { server.stop() }
        let client = TestClient(server)
        let (data, response) = try await client.clientCredentials(["scope": "compute.read"], auth: auth)
        #expect(response.statusCode == 200)
        let body = try json(data)
        let token = try #require(body["access_token"] as? String)
        #expect(body["refresh_token"] == nil)
        #expect(body["expires_in"] as? Int == 3600)
        #expect(body["token_type"] as? String == "Bearer")
        #expect(body["issued_token_type"] == nil)
        #expect(server.grants.isEmpty)
        let issued = try #require(server.issuedAccessToken(token))
        #expect(issued.subject == "credmon-test")
        #expect(issued.clientID == "credmon-test")
        #expect(issued.grantID == nil)
        #expect(issued.audiences == [])
        #expect(server.requests(to: "/token").last?.clientAuthentication == (auth == .basic ? .basic : .post))
    }

    @Test("clientCredentialsOmitsExpiresIn: the answer has no expires_in (a Django-style server); refreshes keep theirs")
    func omitsExpiresIn() async throws {
        let server = try OAuthServer(configuration: .init(clientCredentialsOmitsExpiresIn: true))
        defer { server.stop() }
        let client = TestClient(server)
        let (data, response) = try await client.clientCredentials(["scope": "read"])
        #expect(response.statusCode == 200)
        let body = try json(data)
        #expect(body.keys.contains("expires_in") == false)
        #expect(body["refresh_token"] == nil)
        #expect(body["scope"] as? String == "read")
        let token = try #require(body["access_token"] as? String)
        // The token still expires on the server's schedule.
        #expect(server.isActive(accessToken: token))
        server.advanceClock(by: .seconds(3601))
        #expect(!server.isActive(accessToken: token))

        let grant = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice")
        #expect(try await client.refreshOK(grant.refreshToken)["expires_in"] as? Int == 3600)
    }

    @Test("audience (repeatable) is recorded on the token, shown by introspection as aud, and kept in the request log")
    func audienceRecorded() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let (data, response) = try await client.clientCredentials(["audience": "https://a.example.org", "scope": "read",
                                                                   "audience": "https://b.example.org"], auth: .basic)
        #expect(response.statusCode == 200)
        let token = try #require(try json(data)["access_token"] as? String)
        #expect(server.issuedAccessToken(token)?.audiences == ["https://a.example.org", "https://b.example.org"])
        let introspected = try json(try await client.post("/introspect", ["token": token]).0)
        #expect(introspected["aud"] as? [String] == ["https://a.example.org", "https://b.example.org"])
        #expect(server.requests(to: "/token").last?.form.values("audience") == ["https://a.example.org", "https://b.example.org"])

        let (singleData, _) = try await client.clientCredentials(["audience": "https://a.example.org"])
        let single = try #require(try json(singleData)["access_token"] as? String)
        #expect(server.issuedAccessToken(single)?.audiences == ["https://a.example.org"])
        let singleIntrospected = try json(try await client.post("/introspect", ["token": single]).0)
        #expect(singleIntrospected["aud"] as? String == "https://a.example.org")

        let (noneData, _) = try await client.clientCredentials()
        let none = try #require(try json(noneData)["access_token"] as? String)
        let noneIntrospected = try json(try await client.post("/introspect", ["token": none]).0)
        #expect(noneIntrospected["active"] as? Bool == true)
        #expect(noneIntrospected["aud"] == nil)
    }

    @Test("An audience outside allowedAudiences is invalid_target; allowed ones are issued")
    func invalidTarget() async throws {
        let server = try OAuthServer(configuration: .init(allowedAudiences: ["https://a.example.org", "https://b.example.org"]))
        defer { server.stop() }
        let client = TestClient(server)
        let refused: [FormBody] = [["audience": "https://evil.example.org"],
                                   ["audience": "https://a.example.org", "audience": "https://evil.example.org"]]
        for extra in refused {
            let (data, response) = try await client.clientCredentials(extra)
            #expect(response.statusCode == 400)
            #expect(oauthError(data) == "invalid_target")
            #expect(try json(data)["access_token"] == nil)
        }
        let (data, response) = try await client.clientCredentials(["audience": "https://b.example.org", "audience": "https://a.example.org"])
        #expect(response.statusCode == 200)
        let token = try #require(try json(data)["access_token"] as? String)
        #expect(server.issuedAccessToken(token)?.audiences == ["https://b.example.org", "https://a.example.org"])
        // No audience at all is fine too.
        let (_, plain) = try await client.clientCredentials()
        #expect(plain.statusCode == 200)
        #expect(server.requests(to: "/token").compactMap(\.error) == ["invalid_target", "invalid_target"])
    }

    @Test("Bad client authentication is 401 invalid_client", arguments: [TestClient.Authentication.post, .basic, .none])
    func badClient(auth: TestClient.Authentication) async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let wrong = TestClient(server, client: .init(id: "credmon-test", secret: "not-the-secret"))
        let (data, response) = try await wrong.clientCredentials(["audience": "x"], auth: auth)
        #expect(response.statusCode == 401)
        #expect(oauthError(data) == "invalid_client")
        #expect((header(response, "WWW-Authenticate")?.hasPrefix("Basic") == true) == (auth == .basic))
    }

    @Test("Only audience may repeat: a repeated scope is still invalid_request")
    func repeatedScope() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let (data, response) = try await client.clientCredentials(["scope": "read", "scope": "write"])
        #expect(response.statusCode == 400)
        #expect(oauthError(data) == "invalid_request")
    }
}
