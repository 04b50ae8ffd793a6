import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import OAuthTestServer

/// The URNs of RFC 8693, spelled out here rather than read from the server, so a typo there fails a test.
private enum URN {
    static let grantType = "urn:ietf:params:oauth:grant-type:token-exchange"
    static let accessToken = "urn:ietf:params:oauth:token-type:access_token"
    static let refreshToken = "urn:ietf:params:oauth:token-type:refresh_token"
    static let jwt = "urn:ietf:params:oauth:token-type:jwt"
    static let idToken = "urn:ietf:params:oauth:token-type:id_token"
}

fileprivate extension TestClient {
    /// A token exchange of `subjectToken`; `extra` is appended to the form as it is (repeats included).
    func exchange(_ subjectToken: String, type: String = URN.accessToken, extra: FormBody = [:],
                  auth: Authentication = .post) async throws -> (Data, HTTPURLResponse) {
        var form: FormBody = ["grant_type": URN.grantType, "subject_token": subjectToken, "subject_token_type": type]
        form.fields += extra.fields
        return try await post("/token", form, auth: auth)
    }
}

@Suite("RFC 8693 token exchange at /token")
struct TokenExchangeTests {
    /// The client whose user's token gets exchanged (the "front end").
    static let frontend = OAuthServer.Client(id: "frontend", secret: "frontend-secret")

    /// A server with the default client (which exchanges) and `frontend`.
    static func server(_ configuration: OAuthServer.Configuration = .init()) throws -> OAuthServer {
        var configuration = configuration
        configuration.clients = [.default, frontend]
        return try OAuthServer(configuration: configuration)
    }

    @Test("A live access token of another client is exchanged: RFC 8693 §2.2.1 answer, a grant, the exchange on record",
          arguments: [TestClient.Authentication.post, .basic])
    func happyPath(auth: TestClient.Authentication) async throws {
        let server = try Self.server()
        defer { server.stop() }
        let client = TestClient(server)
        let subject = server.issueGrant(clientID: Self.frontend.id, scope: "read write", subject: "alice")
        let (data, response) = try await client.exchange(subject.accessToken,
                                                         extra: ["audience": "https://api.example.org", "scope": "read"], auth: auth)
        #expect(response.statusCode == 200, "\(String(decoding: data, as: UTF8.self))")
        #expect(header(response, "Cache-Control") == "no-store")
        let body = try json(data)
        let accessToken = try #require(body["access_token"] as? String)
        let refreshToken = try #require(body["refresh_token"] as? String)
        #expect(body["issued_token_type"] as? String == URN.accessToken)
        #expect(body["token_type"] as? String == "Bearer")
        #expect(body["expires_in"] as? Int == 3600)
        #expect(body["scope"] as? String == "read")
        #expect(accessToken != subject.accessToken)
        #expect(server.isActive(accessToken: accessToken))
        #expect(server.isActive(refreshToken: refreshToken))

        let exchange = try #require(server.tokenExchanges.only)
        #expect(exchange.clientID == "credmon-test")
        #expect(exchange.subject == "alice")
        #expect(exchange.subjectToken == subject.accessToken)
        #expect(exchange.subjectTokenType == URN.accessToken)
        #expect(exchange.subjectClientID == Self.frontend.id)
        #expect(exchange.requestedTokenType == nil)
        #expect(exchange.audiences == ["https://api.example.org"])
        #expect(exchange.resources == [])
        #expect(exchange.scope == "read")
        #expect(exchange.accessToken == accessToken)
        #expect(exchange.refreshToken == refreshToken)
        #expect(server.tokenExchange(issuing: accessToken) == exchange)
        #expect(server.tokenExchange(issuing: subject.accessToken) == nil)

        // The refresh token is an ordinary grant of the exchanging client, for the subject, with the exchanged scope.
        let grant = try #require(server.grant(forRefreshToken: refreshToken))
        #expect(exchange.grantID == grant.id)
        #expect(grant.clientID == "credmon-test")
        #expect(grant.subject == "alice")
        #expect(grant.scope == "read")
        #expect(grant.accessTokens == [accessToken])
        #expect(server.grant(forAccessToken: accessToken)?.id == grant.id)

        let issued = try #require(server.issuedAccessToken(accessToken))
        #expect(issued.audiences == ["https://api.example.org"])
        #expect(issued.subject == "alice")
        #expect(issued.clientID == "credmon-test")
        let introspected = try json(try await client.post("/introspect", ["token": accessToken]).0)
        #expect(introspected["active"] as? Bool == true)
        #expect(introspected["sub"] as? String == "alice")
        #expect(introspected["aud"] as? String == "https://api.example.org")

        let logged = try #require(server.requests(to: "/token").last)
        #expect(logged.clientAuthentication == (auth == .basic ? .basic : .post))
        #expect(logged.form["grant_type"] == URN.grantType)
        // The subject token stays usable: an exchange does not consume it.
        #expect(server.isActive(accessToken: subject.accessToken))
    }

    @Test("A registered JWT subject token, no scope asked (the subject's scope), audiences and resources repeated and kept in order")
    func registeredJWT() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let client = TestClient(server)
        let jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJib2IifQ."
        server.registerSubjectToken(jwt, subject: "bob", scope: "compute.read  compute.create")
        let extra: FormBody = ["audience": "aud-one", "resource": "https://r1.example.org/", "audience": "aud-two",
                               "resource": "https://r2.example.org/"]
        let (data, response) = try await client.exchange(jwt, type: URN.jwt, extra: extra, auth: .basic)
        #expect(response.statusCode == 200, "\(String(decoding: data, as: UTF8.self))")
        let body = try json(data)
        #expect(body["scope"] as? String == "compute.read compute.create")
        #expect(body["issued_token_type"] as? String == URN.accessToken)
        let accessToken = try #require(body["access_token"] as? String)

        let exchange = try #require(server.tokenExchange(issuing: accessToken))
        #expect(exchange.subject == "bob")
        #expect(exchange.subjectTokenType == URN.jwt)
        #expect(exchange.subjectClientID == nil)
        #expect(exchange.audiences == ["aud-one", "aud-two"])
        #expect(exchange.resources == ["https://r1.example.org/", "https://r2.example.org/"])
        let introspected = try json(try await client.post("/introspect", ["token": accessToken]).0)
        #expect(introspected["aud"] as? [String] == ["aud-one", "aud-two"])
        // The logged form keeps every repeat too.
        #expect(server.requests(to: "/token").last?.form.values("audience") == ["aud-one", "aud-two"])
    }

    /// The rows of a malformed exchange request: each is `invalid_request`.
    enum Malformed: String, CaseIterable, Sendable {
        case missingSubjectToken, emptySubjectToken, missingSubjectTokenType, idTokenSubjectType, bareSubjectType
        case idTokenRequested, samlRequested, repeatedSubjectToken

        func form(subjectToken: String) -> FormBody {
            var form: FormBody = ["grant_type": URN.grantType]
            switch self {
            case .missingSubjectToken:
                form.append("subject_token_type", URN.accessToken)
            case .emptySubjectToken:
                form.append("subject_token", "")
                form.append("subject_token_type", URN.accessToken)
            case .missingSubjectTokenType:
                form.append("subject_token", subjectToken)
            case .idTokenSubjectType, .bareSubjectType:
                form.append("subject_token", subjectToken)
                form.append("subject_token_type", self == .bareSubjectType ? "access_token" : URN.idToken)
            case .idTokenRequested, .samlRequested:
                form.append("subject_token", subjectToken)
                form.append("subject_token_type", URN.accessToken)
                form.append("requested_token_type", self == .idTokenRequested ? URN.idToken : "urn:ietf:params:oauth:token-type:saml2")
            case .repeatedSubjectToken:
                form.append("subject_token", subjectToken)
                form.append("subject_token", subjectToken)
                form.append("subject_token_type", URN.accessToken)
            }
            return form
        }
    }

    @Test("A malformed exchange (missing or empty subject_token, missing or unsupported subject_token_type, unsupported requested_token_type, a repeated parameter) is invalid_request",
          arguments: Malformed.allCases)
    func malformed(row: Malformed) async throws {
        let server = try Self.server()
        defer { server.stop() }
        let client = TestClient(server)
        let subject = server.issueGrant(clientID: Self.frontend.id, scope: "read", subject: "alice")
        let (data, response) = try await client.post("/token", row.form(subjectToken: subject.accessToken))
        #expect(response.statusCode == 400)
        #expect(oauthError(data) == "invalid_request")
        #expect(server.tokenExchanges.isEmpty)
        #expect(server.grants.count == 1)
        #expect(server.requests(to: "/token").last?.error == "invalid_request")
    }

    @Test("A subject token the server does not know, a refresh token, a revoked and an expired access token are invalid_grant")
    func unacceptableSubjectTokens() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let client = TestClient(server)
        let live = server.issueGrant(clientID: Self.frontend.id, scope: "read", subject: "alice")
        let revoked = server.issueGrant(clientID: Self.frontend.id, scope: "read", subject: "carol")
        server.revokeGrant(try #require(server.grant(forRefreshToken: revoked.refreshToken)).id)
        server.registerSubjectToken("registered-token", subject: "dave", scope: "read")

        for token in ["at-never-issued", live.refreshToken, revoked.accessToken, "registered-token-but-not-this-one"] {
            let (data, response) = try await client.exchange(token)
            #expect(response.statusCode == 400, "\(token)")
            #expect(oauthError(data) == "invalid_grant", "\(token)")
        }
        #expect(server.tokenExchanges.isEmpty)

        // The live one works now, and no longer once it expired.
        let (_, fresh) = try await client.exchange(live.accessToken)
        #expect(fresh.statusCode == 200)
        server.advanceClock(by: .seconds(3601))
        let (data, expired) = try await client.exchange(live.accessToken)
        #expect(expired.statusCode == 400)
        #expect(oauthError(data) == "invalid_grant")
        #expect(server.tokenExchanges.count == 1)
    }

    @Test("An audience outside allowedAudiences is invalid_target (RFC 8693 §2.2.2), even next to an allowed one")
    func invalidTarget() async throws {
        let server = try Self.server(.init(allowedAudiences: ["https://api.example.org"]))
        defer { server.stop() }
        let client = TestClient(server)
        let subject = server.issueGrant(clientID: Self.frontend.id, scope: "read", subject: "alice")
        let refused: [FormBody] = [["audience": "https://evil.example.org"],
                                   ["audience": "https://api.example.org", "audience": "https://evil.example.org"]]
        for extra in refused {
            let (data, response) = try await client.exchange(subject.accessToken, extra: extra)
            #expect(response.statusCode == 400)
            #expect(oauthError(data) == "invalid_target")
        }
        #expect(server.tokenExchanges.isEmpty)
        let (_, allowed) = try await client.exchange(subject.accessToken, extra: ["audience": "https://api.example.org"])
        #expect(allowed.statusCode == 200)
        #expect(server.tokenExchanges.map(\.audiences) == [["https://api.example.org"]])
    }

    @Test("A scope beyond the subject token's is invalid_scope; a narrower one is granted")
    func invalidScope() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let client = TestClient(server)
        let subject = server.issueGrant(clientID: Self.frontend.id, scope: "read", subject: "alice")
        let (data, response) = try await client.exchange(subject.accessToken, extra: ["scope": "read write"])
        #expect(response.statusCode == 400)
        #expect(oauthError(data) == "invalid_scope")
        #expect(server.tokenExchanges.isEmpty)
        #expect(server.grants.count == 1)

        server.registerSubjectToken("wide", subject: "bob", scope: "read write admin")
        let (narrowData, narrow) = try await client.exchange("wide", extra: ["scope": "write read"])
        #expect(narrow.statusCode == 200)
        #expect(try json(narrowData)["scope"] as? String == "write read")
    }

    @Test("Bad client authentication is 401 invalid_client, and nothing is exchanged", arguments: [
        TestClient.Authentication.post, .basic, .none,
    ])
    func badClient(auth: TestClient.Authentication) async throws {
        let server = try Self.server()
        defer { server.stop() }
        let subject = server.issueGrant(clientID: Self.frontend.id, scope: "read", subject: "alice")
        let wrong = TestClient(server, client: .init(id: "credmon-test", secret: "not-the-secret"))
        let (data, response) = try await wrong.exchange(subject.accessToken, auth: auth)
        #expect(response.statusCode == 401)
        #expect(oauthError(data) == "invalid_client")
        #expect((header(response, "WWW-Authenticate")?.hasPrefix("Basic") == true) == (auth == .basic))
        #expect(server.tokenExchanges.isEmpty)
        #expect(server.grants.count == 1)
    }

    @Test("The refresh token of an exchange refreshes like any other: exchanged scope and audience, rotation, reuse detection, own client only")
    func refreshExchanged() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let client = TestClient(server)
        let subject = server.issueGrant(clientID: Self.frontend.id, scope: "read write", subject: "alice")
        let body = try json(try await client.exchange(subject.accessToken, extra: ["scope": "read", "audience": "svc"]).0)
        let first = try #require(body["refresh_token"] as? String)

        // Another client (here the subject token's own) may not use it.
        let (otherData, other) = try await TestClient(server, client: Self.frontend).refresh(first)
        #expect(other.statusCode == 400)
        #expect(oauthError(otherData) == "invalid_grant")

        let refreshed = try await client.refreshOK(first)
        #expect(refreshed["scope"] as? String == "read")
        let second = try #require(refreshed["refresh_token"] as? String)
        let access = try #require(refreshed["access_token"] as? String)
        #expect(second != first)
        #expect(!server.isActive(refreshToken: first))
        #expect(server.issuedAccessToken(access)?.audiences == ["svc"])
        #expect(server.issuedAccessToken(access)?.subject == "alice")
        #expect(server.tokenExchange(issuing: second)?.subjectToken == subject.accessToken)
        #expect(server.grant(forRefreshToken: second)?.refreshCount == 1)

        // Wider than the exchanged scope (though within the subject's): invalid_scope.
        let (wideData, wide) = try await client.refresh(second, scope: "read write")
        #expect(wide.statusCode == 400)
        #expect(oauthError(wideData) == "invalid_scope")

        // Reuse of the rotated token kills the exchanged grant, not the subject's.
        let (reusedData, _) = try await client.refresh(first)
        #expect(oauthError(reusedData) == "invalid_grant")
        #expect(server.grant(forRefreshToken: second)?.revocationReason == .refreshTokenReuse)
        #expect(!server.isActive(refreshToken: second))
        #expect(server.isActive(refreshToken: subject.refreshToken))
    }

    @Test("exchangeIssuesRefreshToken off: an access token only, no grant; requesting a refresh token is invalid_request")
    func noRefreshToken() async throws {
        let server = try Self.server(.init(exchangeIssuesRefreshToken: false))
        defer { server.stop() }
        let client = TestClient(server)
        let subject = server.issueGrant(clientID: Self.frontend.id, scope: "read", subject: "alice")
        let (data, response) = try await client.exchange(subject.accessToken, extra: ["requested_token_type": URN.accessToken])
        #expect(response.statusCode == 200)
        let body = try json(data)
        #expect(body["refresh_token"] == nil)
        #expect(body["issued_token_type"] as? String == URN.accessToken)
        #expect(body["expires_in"] as? Int == 3600)
        let accessToken = try #require(body["access_token"] as? String)
        #expect(server.isActive(accessToken: accessToken))
        #expect(server.grant(forAccessToken: accessToken) == nil)
        #expect(server.grants.count == 1)
        let exchange = try #require(server.tokenExchange(issuing: accessToken))
        #expect(exchange.refreshToken == nil)
        #expect(exchange.grantID == nil)
        #expect(exchange.requestedTokenType == URN.accessToken)

        let (refused, refusal) = try await client.exchange(subject.accessToken, extra: ["requested_token_type": URN.refreshToken])
        #expect(refusal.statusCode == 400)
        #expect(oauthError(refused) == "invalid_request")
        #expect(server.tokenExchanges.count == 1)
    }

    @Test("requested_token_type refresh_token is answered (access and refresh token) while exchanges issue refresh tokens")
    func refreshTokenRequested() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let client = TestClient(server)
        let subject = server.issueGrant(clientID: Self.frontend.id, scope: "read", subject: "alice")
        let (data, response) = try await client.exchange(subject.accessToken, extra: ["requested_token_type": URN.refreshToken])
        #expect(response.statusCode == 200)
        let body = try json(data)
        let refreshToken = try #require(body["refresh_token"] as? String)
        #expect(server.isActive(refreshToken: refreshToken))
        #expect(server.tokenExchanges.only?.requestedTokenType == URN.refreshToken)
    }

    @Test("Only audience and resource may repeat, and only in the grants that take them")
    func repeats() async throws {
        let server = try Self.server()
        defer { server.stop() }
        let client = TestClient(server)
        let subject = server.issueGrant(clientID: Self.frontend.id, scope: "read", subject: "alice")
        let (scopeData, _) = try await client.exchange(subject.accessToken, extra: ["scope": "read", "scope": "read"])
        #expect(oauthError(scopeData) == "invalid_request")
        let refresh: FormBody = ["grant_type": "refresh_token", "refresh_token": subject.refreshToken, "audience": "a", "audience": "b"]
        let (refreshData, refreshResponse) = try await TestClient(server, client: Self.frontend).post("/token", refresh)
        #expect(refreshResponse.statusCode == 400)
        #expect(oauthError(refreshData) == "invalid_request")
        #expect(server.isActive(refreshToken: subject.refreshToken))
    }

    @Test("The metadata advertises the grant with advertiseTokenExchange; the grant works either way", arguments: [false, true])
    func metadata(advertise: Bool) async throws {
        let server = try Self.server(.init(advertiseTokenExchange: advertise))
        defer { server.stop() }
        let client = TestClient(server)
        let document = try json(try await client.get("/.well-known/oauth-authorization-server").0)
        let grantTypes = try #require(document["grant_types_supported"] as? [String])
        #expect(grantTypes.contains(URN.grantType) == advertise)
        #expect(grantTypes.contains("refresh_token"))
        let subject = server.issueGrant(clientID: Self.frontend.id, scope: "read", subject: "alice")
        let (_, response) = try await client.exchange(subject.accessToken)
        #expect(response.statusCode == 200)
    }
}

fileprivate extension Array {
    /// The single element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
