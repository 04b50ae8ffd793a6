import CredmonTestKit
import Engine
import Foundation
import GenericOAuth
import Logging
import OAuthClient
import OAuthTestServer
import Testing

/// A `kind: oauth2` provider built from a fragment, the loopback authorization server it logs in at, and a user
/// who signs in there.
final class LoginFixture: Sendable {
    let server: OAuthServer
    let directory: TemporaryDirectory
    let http = URLSessionHTTPClient()
    static let client = OAuthServer.Client.default
    static let redirectURI = OAuthServer.Client.defaultRedirectURI

    init() throws {
        server = try OAuthServer()
        directory = try TemporaryDirectory("credmon-generic-oauth")
        try directory.makeDirectory("providers.d", mode: 0o755)
    }

    deinit { server.stop() }

    /// Loads `providers.d/web.yaml` (`name: web`, `kind: oauth2`, then `keys`): the provider and the errors.
    func load(_ keys: [String]) throws -> (provider: (any CredentialProvider)?, errors: [ConfigurationError], path: String) {
        let path = try directory.write("providers.d/web.yaml", (["name: web", "kind: oauth2"] + keys).joined(separator: "\n") + "\n")
        let context = ProviderBuildContext(keyDirectory: directory.file("keys"), hostName: "ap.example.org", createMissingKeys: false,
                                           http: http, logger: Logger(label: "generic-oauth-tests", factory: { _ in SwiftLogNoOpLogHandler() }))
        let result = ProviderTable.load(directory: directory.file("providers.d"), catalog: try KindCatalog([GenericOAuthKind.self]), context: context)
        return (result.table.provider(for: "web"), result.errors, path)
    }

    /// The provider of a fragment that names the loopback server's token URL.
    func provider(_ extraKeys: [String] = []) throws -> any CredentialProvider {
        let loaded = try load(["token_url: \(server.url("/token").absoluteString)"] + extraKeys)
        return try #require(loaded.provider, "\(loaded.errors)")
    }

    /// Signs `user` in at `/authorize` and consents (PKCE S256 with `verifier`); returns the authorization code.
    func authorizationCode(user: String = "alice", verifier: String, scope: String = "read:/data", nonce: String? = nil) async throws -> String {
        var fields = [("response_type", "code"), ("client_id", Self.client.id), ("redirect_uri", Self.redirectURI), ("scope", scope),
                      ("state", "state-1"), ("code_challenge", OAuthServer.PKCE.challenge(for: verifier)), ("code_challenge_method", "S256")]
        if let nonce { fields.append(("nonce", nonce)) }
        let consent = try await post("/authorize", fields + [("step", "login"), ("username", user), ("password", String(user.reversed()))])
        #expect(consent.status == 200, "login refused: \(String(decoding: consent.body, as: UTF8.self))")
        let ticket = try #require(String(decoding: consent.body, as: UTF8.self).firstMatch(of: /name="ticket" value="([^"]+)"/)?.1)
        let answer = try await post("/authorize", [("step", "consent"), ("ticket", String(ticket)), ("decision", "allow")])
        let location = try #require(answer.headers["location"].flatMap { URLComponents(string: $0) }, "status \(answer.status)")
        return try #require(location.queryItems?.first { $0.name == "code" }?.value)
    }

    /// The grant credmon-web hands to `fetch` for `code`.
    func grant(code: String, verifier: String, secret: String? = LoginFixture.client.secret, scopes: String = "", audience: String = "",
               userinfo: Bool = false) -> AuthorizationGrant {
        AuthorizationGrant(code: code, redirectURI: Self.redirectURI, codeVerifier: verifier, tokenURL: server.url("/token"),
                           clientID: Self.client.id, clientSecret: secret, seedScopes: scopes, seedAudience: audience,
                           userinfoURL: userinfo ? server.url("/userinfo") : nil)
    }

    /// A web login's request for `alice/web`.
    func request(_ grant: AuthorizationGrant) -> CredentialRequest {
        CredentialRequest(id: CredentialID(user: "alice", token: TokenName(service: "web")), now: Date(), grant: grant)
    }

    private func post(_ path: String, _ fields: [(String, String)]) async throws -> Engine.HTTPResponse {
        try await http.send(Engine.HTTPRequest(method: "POST", url: server.url(path), headers: [("Content-Type", "application/x-www-form-urlencoded")],
                                               body: FormEncoding.encode(fields), timeout: .seconds(10)))
    }
}

/// The members of a JSON object file.
func jsonObject(_ bytes: [UInt8]?) throws -> [String: JSONValue] {
    try #require(bytes.flatMap { JSONValue.parseObject($0) }, "not a JSON object: \(bytes.map { String(decoding: $0, as: UTF8.self) } ?? "nil")")
}
