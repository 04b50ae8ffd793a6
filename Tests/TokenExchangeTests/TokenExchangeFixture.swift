import CredmonTestKit
import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import OAuthClient
import OAuthTestServer
import Synchronization
import Testing
import TokenExchange

/// A `kind: token-exchange` provider built from `providers.d/pelican.yaml` against the loopback OAuth server (and,
/// for the trust checks, a second one), over the daemon's HTTP client; its warnings are kept.
final class TokenExchangeFixture: Sendable {
    let server: OAuthServer
    let directory: TemporaryDirectory
    let secretFile: String
    let log = LogCapture()
    static let client = OAuthServer.Client.default
    static let http = NIOHTTPClient()

    init(_ configuration: OAuthServer.Configuration = .init()) throws {
        server = try OAuthServer(configuration: configuration)
        directory = try TemporaryDirectory("credmon-token-exchange")
        try directory.makeDirectory("providers.d", mode: 0o755)
        secretFile = try directory.write("client-secret", Self.client.secret + "\n")
        guard chmod(secretFile, 0o600) == 0 else { throw CocoaError(.fileWriteNoPermission) }
    }

    deinit { server.stop() }

    var tokenURL: String { server.url("/token").absoluteString }

    var context: ProviderBuildContext {
        let log = self.log
        return ProviderBuildContext(keyDirectory: directory.file("keys"), hostName: "ap.example.org", createMissingKeys: false,
                                    http: Self.http, logger: Logger(label: "token-exchange-tests", factory: { _ in log.handler }))
    }

    func load(_ keys: [String]) throws -> (provider: (any CredentialProvider)?, errors: [ConfigurationError], path: String) {
        let path = try directory.write("providers.d/pelican.yaml", (["name: pelican", "kind: token-exchange"] + keys).joined(separator: "\n") + "\n")
        let result = ProviderTable.load(directory: directory.file("providers.d"), catalog: try KindCatalog([TokenExchangeKind.self]), context: context)
        return (result.table.provider(for: "pelican"), result.errors, path)
    }

    /// The provider of the client and `keys` (the loopback token_url unless `keys` names an endpoint).
    func provider(_ keys: [String] = []) throws -> any CredentialProvider {
        let named = keys.contains { $0.hasPrefix("token_url:") || $0.hasPrefix("issuer:") || $0.hasPrefix("trusted_issuers:") }
        let loaded = try load(["client_id: \(Self.client.id)", "client_secret_file: \(secretFile)"] + (keys.contains { $0.hasPrefix("timeout:") } ? [] : ["timeout: 5"])
                              + (named ? [] : ["token_url: \(tokenURL)"]) + keys)
        return try #require(loaded.provider, "\(loaded.errors)")
    }

    /// A storer's `.top` holding a subject token of a fresh grant for `user` with `scope`, plus `extra` members.
    func storerSeed(scope: String = "read:/data write:/data", user: String = "alice", extra: [String: JSONValue] = ["scopes": .string("read:/data")]) -> (seed: SeedFile, subjectToken: String) {
        let grant = server.issueGrant(clientID: Self.client.id, scope: scope, subject: user)
        var object = extra
        object["access_token"] = .string(grant.accessToken)
        return (.json(object), grant.accessToken)
    }

    func request(_ seed: SeedFile?, user: String = "alice", handle: String? = nil) -> CredentialRequest {
        CredentialRequest(id: CredentialID(user: user, token: TokenName(service: "pelican", handle: handle)), seed: seed, now: Date())
    }

    func failure(_ operation: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async -> ProviderError? {
        await #expect(throws: ProviderError.self, sourceLocation: sourceLocation) { try await operation() }
    }
}

/// An unsigned JWT (`alg: none`) with these claims: a subject token whose `iss` the provider reads unverified.
func unsignedJWT(_ claims: [String: JSONValue]) -> String {
    func encode(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
    return encode(Data(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + encode(JSONValue.serialize(claims)) + ".sig"
}

func jsonObject(_ bytes: [UInt8]?) throws -> [String: JSONValue] {
    try #require(bytes.flatMap { JSONValue.parseObject($0) }, "not a JSON object: \(bytes.map { String(decoding: $0, as: UTF8.self) } ?? "nil")")
}

/// Keeps every log message (a log handler over it: ``handler``).
final class LogCapture: Sendable {
    private let lines = Mutex<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])

    func append(_ level: Logger.Level, _ message: String, _ metadata: Logger.Metadata) {
        lines.withLock { $0.append((level, message, metadata)) }
    }

    var warnings: [(message: String, metadata: Logger.Metadata)] {
        lines.withLock { $0.filter { $0.level == .warning }.map { ($0.message, $0.metadata) } }
    }

    var all: String { lines.withLock { $0.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n") } }

    var handler: CaptureHandler { CaptureHandler(capture: self) }

    struct CaptureHandler: LogHandler {
        let capture: LogCapture
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            capture.append(event.level, "\(event.message)", metadata.merging(event.metadata ?? [:]) { $1 })
        }
    }
}
