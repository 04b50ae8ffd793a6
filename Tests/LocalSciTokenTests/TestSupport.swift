import Engine
import Foundation
import LocalSciToken
import Logging
import Signers
import Testing
@_exported import CredmonTestKit  // TemporaryDirectory, for every file of this target

#if canImport(Glibc)
import Glibc
#endif


/// The permission bits of `path`.
func fileMode(_ path: String) -> mode_t? {
    var st = stat()
    guard lstat(path, &st) == 0 else { return nil }
    return st.st_mode & 0o7777
}

let quietLogger = Logger(label: "localscitoken-tests", factory: { _ in SwiftLogNoOpLogHandler() })

/// A providers directory and a key directory in one temporary directory.
struct Setup {
    static let hostName = "ap.example.org"
    let root: TemporaryDirectory
    var providersPath: String { root.file("providers.d") }
    var keyDirectory: String { root.file("keys") }

    init() throws {
        root = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: providersPath, withIntermediateDirectories: true)
    }

    /// Writes `providers.d/<file>` and returns its path.
    @discardableResult
    func fragment(_ file: String, _ yaml: String) throws -> String {
        try root.write("providers.d/" + file, yaml)
    }

    func load(createMissingKeys: Bool = true) -> ProviderTable.LoadResult {
        ProviderTable.load(directory: providersPath, catalog: try! KindCatalog([LocalSciTokenKind.self]), context: ProviderBuildContext(
            keyDirectory: keyDirectory, hostName: Self.hostName, createMissingKeys: createMissingKeys, logger: quietLogger))
    }

    /// Loads and returns the provider `name`, requiring that nothing failed.
    func provider(_ name: String, createMissingKeys: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws -> LocalSciTokenProvider {
        let result = load(createMissingKeys: createMissingKeys)
        #expect(result.errors.isEmpty, "\(result.errors)", sourceLocation: sourceLocation)
        return try #require(result.table.provider(for: name) as? LocalSciTokenProvider, sourceLocation: sourceLocation)
    }

    /// Loads a single fragment that must fail and returns its errors.
    func errors(sourceLocation: SourceLocation = #_sourceLocation) -> [ConfigurationError] {
        let result = load()
        #expect(result.table.names.isEmpty, "nothing loads", sourceLocation: sourceLocation)
        #expect(!result.errors.isEmpty, "there are errors", sourceLocation: sourceLocation)
        return result.errors
    }
}

/// Runs openssl and requires success.
func openssl(_ arguments: [String]) throws {
    let result = try SpawnedCommand.run(["openssl"] + arguments)
    try #require(result.status == 0, "openssl \(arguments.joined(separator: " ")) failed: \(String(decoding: result.stderr, as: UTF8.self))")
}

/// A compact JWS split and decoded with Foundation (independently of the module's own decoder).
struct DecodedJWT {
    let token: String
    let header: [String: Any]
    let claims: [String: Any]
    let payloadData: Data

    init(_ token: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        self.token = token
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        try #require(parts.count == 3, "three parts: \(token)", sourceLocation: sourceLocation)
        func decode(_ part: Substring) throws -> Data {
            var standard = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while standard.count % 4 != 0 { standard += "=" }
            return try #require(Data(base64Encoded: standard), "base64url: \(part)", sourceLocation: sourceLocation)
        }
        #expect(!token.contains("="), "JWS parts are unpadded", sourceLocation: sourceLocation)
        header = try #require(try JSONSerialization.jsonObject(with: decode(parts[0])) as? [String: Any], sourceLocation: sourceLocation)
        payloadData = try decode(parts[1])
        claims = try #require(try JSONSerialization.jsonObject(with: payloadData) as? [String: Any], sourceLocation: sourceLocation)
    }

    func int(_ claim: String) -> Int? { (claims[claim] as? NSNumber)?.intValue }
    func string(_ claim: String) -> String? { claims[claim] as? String }
}

/// Mints for `user` and returns the parsed `.use` and the decoded token.
func mint(_ provider: LocalSciTokenProvider, for user: String, at now: Date, sourceLocation: SourceLocation = #_sourceLocation) throws -> (update: CredentialUpdate, file: AccessTokenFile, jwt: DecodedJWT) {
    let update = try provider.mint(for: user, now: now)
    let file = try AccessTokenFile.parse(update.accessTokenFile, path: "\(user)/scitokens.use")
    return (update, file, try DecodedJWT(file.accessToken, sourceLocation: sourceLocation))
}
