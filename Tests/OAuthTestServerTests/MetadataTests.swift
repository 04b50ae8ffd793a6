import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import OAuthTestServer

@Suite("Discovery metadata (RFC 8414, OpenID Discovery)")
struct MetadataTests {
    @Test("The server listens on 127.0.0.1 with an ephemeral port; issuer is the base URL without a slash")
    func address() throws {
        let server = try OAuthServer()
        defer { server.stop() }
        #expect(server.baseURL.host == "127.0.0.1")
        #expect(server.port > 0)
        #expect(server.issuer == "http://127.0.0.1:\(server.port)")
        #expect(!server.issuer.hasSuffix("/"))
    }

    @Test("Both well-known documents name every endpoint and capability", arguments: [
        "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration",
    ])
    func document(path: String) async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let (data, response) = try await client.get(path)
        #expect(response.statusCode == 200)
        #expect(header(response, "Content-Type") == "application/json")
        let document = try json(data)
        let issuer = server.issuer
        #expect(document["issuer"] as? String == issuer)
        #expect(document["authorization_endpoint"] as? String == issuer + "/authorize")
        #expect(document["token_endpoint"] as? String == issuer + "/token")
        #expect(document["revocation_endpoint"] as? String == issuer + "/revoke")
        #expect(document["introspection_endpoint"] as? String == issuer + "/introspect")
        #expect(document["userinfo_endpoint"] as? String == issuer + "/userinfo")
        #expect(Set(document["grant_types_supported"] as? [String] ?? []) == ["authorization_code", "refresh_token", "client_credentials",
                                                                          "urn:ietf:params:oauth:grant-type:token-exchange"])
        #expect(Set(document["token_endpoint_auth_methods_supported"] as? [String] ?? []) == ["client_secret_post", "client_secret_basic"])
        #expect(Set(document["revocation_endpoint_auth_methods_supported"] as? [String] ?? []) == ["client_secret_post", "client_secret_basic"])
        #expect(document["code_challenge_methods_supported"] as? [String] == ["S256"])
        #expect(document["response_types_supported"] as? [String] == ["code"])
        #expect((document["subject_types_supported"] != nil) == path.hasSuffix("openid-configuration"))

        // The endpoints it names are served.
        let (jwks, jwksResponse) = try await client.get("/jwks")
        #expect(jwksResponse.statusCode == 200)
        #expect(try json(jwks)["keys"] as? [Any] != nil)
    }

    @Test("Unknown paths are 404 and wrong methods 405 with Allow, as JSON")
    func unknownPathsAndMethods() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let (_, missing) = try await client.get("/nope")
        #expect(missing.statusCode == 404)
        let (data, wrongMethod) = try await client.get("/token")
        #expect(wrongMethod.statusCode == 405)
        #expect(header(wrongMethod, "Allow") == "POST")
        #expect(oauthError(data) == "invalid_request")
    }
}
