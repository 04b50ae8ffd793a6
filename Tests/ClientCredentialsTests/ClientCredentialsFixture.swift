import ClientCredentials
import CredmonTestKit
import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import OAuthClient
import OAuthTestServer
import Testing

/// A `kind: client-credentials` provider built from `providers.d/cc.yaml` against the loopback OAuth server, over
/// the daemon's HTTP client.
final class ClientCredentialsFixture: Sendable {
    let server: OAuthServer
    let directory: TemporaryDirectory
    let secretFile: String
    static let client = OAuthServer.Client.default
    /// One HTTP client for the test process (never shut down here).
    static let http = NIOHTTPClient()

    init(_ configuration: OAuthServer.Configuration = .init()) throws {
        server = try OAuthServer(configuration: configuration)
        directory = try TemporaryDirectory("credmon-client-credentials")
        try directory.makeDirectory("providers.d", mode: 0o755)
        secretFile = try directory.write("client-secret", Self.client.secret + "\n")
        guard chmod(secretFile, 0o600) == 0 else { throw CocoaError(.fileWriteNoPermission) }
    }

    deinit { server.stop() }

    var tokenURL: String { server.url("/token").absoluteString }

    var context: ProviderBuildContext {
        ProviderBuildContext(keyDirectory: directory.file("keys"), hostName: "ap.example.org", createMissingKeys: false,
                             http: Self.http, logger: Logger(label: "client-credentials-tests", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// Loads `name: cc`, `kind: client-credentials`, then `keys`: the provider, the errors and the file's path.
    func load(_ keys: [String]) throws -> (provider: (any CredentialProvider)?, errors: [ConfigurationError], path: String) {
        let path = try directory.write("providers.d/cc.yaml", (["name: cc", "kind: client-credentials"] + keys).joined(separator: "\n") + "\n")
        let result = ProviderTable.load(directory: directory.file("providers.d"), catalog: try KindCatalog([ClientCredentialsKind.self]), context: context)
        return (result.table.provider(for: "cc"), result.errors, path)
    }

    /// The provider of the client, its secret file and `keys` (token_url added unless `keys` names an endpoint).
    func provider(_ keys: [String] = []) throws -> any CredentialProvider {
        let endpoint = keys.contains { $0.hasPrefix("token_url:") || $0.hasPrefix("issuer:") } ? [] : ["token_url: \(tokenURL)"]
        let loaded = try load(["client_id: \(Self.client.id)", "client_secret_file: \(secretFile)"] + (keys.contains { $0.hasPrefix("timeout:") } ? [] : ["timeout: 5"]) + endpoint + keys)
        return try #require(loaded.provider, "\(loaded.errors)")
    }

    /// A request for `<user>/cc`, holding condor_credd's placeholder seed.
    func request(_ user: String = "alice") -> CredentialRequest {
        CredentialRequest(id: CredentialID(user: user, token: TokenName(service: "cc")), seed: .opaque(Array("\(user)@ap.example.org".utf8)), now: Date())
    }

    /// The provider error `operation` throws.
    func failure(_ operation: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> ProviderError? {
        await #expect(throws: ProviderError.self, sourceLocation: sourceLocation) { try await operation() }
    }
}

/// The members of a JSON object file.
func jsonObject(_ bytes: [UInt8]) throws -> [String: JSONValue] {
    try #require(JSONValue.parseObject(bytes), "not a JSON object: \(String(decoding: bytes, as: UTF8.self))")
}
