import CredmonTestKit
import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import OAuthClient
import OAuthTestServer
import ProviderCatalog

/// One test's surroundings: a loopback OAuth server, a temporary directory (fragments, the client secret file,
/// signing keys) and the build context the daemon would give a kind. Fragments are written to files and read by
/// `ProviderTable.load` with the real catalog, exactly as `credmon` reads `providers.d/`.
final class ConformanceFixture: Sendable {
    let server: OAuthServer
    let directory: TemporaryDirectory
    /// `client_secret_file` of the loopback server's default client (mode 0600).
    let secretFile: String
    /// The service name every subject's fragment uses.
    let service = "conformance"
    /// The loopback server's default client.
    static let client = OAuthServer.Client.default

    /// One HTTP client for the whole test process (the executable owns it in production; it is never shut down here).
    static let http = NIOHTTPClient()

    init(rotate: Bool = true) throws {
        server = try OAuthServer(configuration: .init(rotateRefreshTokens: rotate, omitRefreshTokenInRefreshResponse: !rotate))
        directory = try TemporaryDirectory("credmon-conformance")
        try directory.makeDirectory("providers.d", mode: 0o755)
        try directory.makeDirectory("keys", mode: 0o700)
        secretFile = try directory.write("client-secret", Self.client.secret)
        guard chmod(secretFile, 0o600) == 0 else { throw CocoaError(.fileWriteNoPermission) }
    }

    deinit { server.stop() }

    /// `http://127.0.0.1:<port><path>` on the loopback server.
    func url(_ path: String) -> String { server.url(path).absoluteString }

    /// The build context the daemon gives kinds: reads secrets, may create keys, has an HTTP client.
    var context: ProviderBuildContext {
        ProviderBuildContext(keyDirectory: directory.file("keys"), hostName: "ap.example.org", createMissingKeys: true,
                             http: Self.http, logger: Logger(label: "conformance", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// The fragment text: `name`, `kind`, then `keys`, one per line.
    func fragment(_ subject: ConformanceSubject, keys: [String]) -> String {
        (["name: \(service)", "kind: \(subject.kind.kind)"] + keys).joined(separator: "\n") + "\n"
    }

    /// Writes `text` as `providers.d/<file>` and loads the directory: the provider, or the errors.
    func load(_ text: String, file: String = "conformance.yaml") throws -> (provider: (any CredentialProvider)?, errors: [ConfigurationError], path: String) {
        for name in directory.names(in: "providers.d") { try FileManager.default.removeItem(atPath: directory.file("providers.d/" + name)) }
        let path = try directory.write("providers.d/" + file, text)
        let result = ProviderTable.load(directory: directory.file("providers.d"), catalog: try ProviderCatalog.load(), context: context)
        return (result.table.provider(for: service), result.errors, path)
    }

    /// Builds the subject's provider from its fragment (with `keys` instead of the subject's own, if given).
    func build(_ subject: ConformanceSubject, keys: [String]? = nil) throws -> any CredentialProvider {
        let loaded = try load(fragment(subject, keys: keys ?? subject.keys(self)))
        guard let provider = loaded.provider else { throw FixtureFailure("the fragment did not build: \(loaded.errors)") }
        return provider
    }

    /// The id of a credential of the subject's service.
    func credential(_ user: String = "alice") -> CredentialID {
        CredentialID(user: user, token: TokenName(service: service))
    }

    /// A first seed as condor_credd, credmon-web or a storer would have stored it: an OAuth `.top` of a fresh grant
    /// (and its refresh token), a placeholder, or a storer's subject token (an access token of a fresh grant; the
    /// grant's refresh token is returned to find the grant by, it is not in the seed).
    func seed(for subject: ConformanceSubject, user: String = "alice") -> (seed: SeedFile, refreshToken: String?) {
        switch subject.seed {
        case .refreshToken:
            let grant = server.issueGrant(clientID: Self.client.id, scope: "read:/data", subject: user)
            return (SeedFile.parse(Array(#"{"refresh_token":"\#(grant.refreshToken)","scopes":"read:/data"}"#.utf8)), grant.refreshToken)
        case .placeholder, .clientCredentials:
            return (SeedFile.parse(Array("\(user)@ap.example.org".utf8)), nil)
        case .vaultToken:
            let grant = server.issueGrant(clientID: Self.client.id, scope: "read:/data", subject: user)
            let seed = #"{"vault_token":"\#(grant.accessToken)","vault_url":"\#(url(Self.vaultPath))","scopes":"read:/data"}"#
            return (SeedFile.parse(Array(seed.utf8)), grant.refreshToken)
        case .subjectToken:
            let grant = server.issueGrant(clientID: Self.client.id, scope: "read:/data", subject: user)
            return (SeedFile.parse(Array(#"{"access_token":"\#(grant.accessToken)","scopes":"read:/data"}"#.utf8)), grant.refreshToken)
        }
    }

    /// The path of the loopback server's Vault stand-in a Vault seed names (htvault-config's layout).
    static let vaultPath = "/v1/secret/oauth/creds/conformance/alice:default"

    /// A request for a credential holding `seed`, now.
    func request(_ seed: SeedFile?, user: String = "alice") -> CredentialRequest {
        CredentialRequest(id: credential(user), seed: seed, now: Date())
    }
}

/// A fixture that could not be set up.
struct FixtureFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
