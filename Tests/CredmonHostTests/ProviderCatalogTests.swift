import CondorConfig
import CredmonHost
import Engine
import Foundation
import ProviderCatalog
import Testing

@Suite("The provider catalog")
struct ProviderCatalogTests {
    @Test("The shipped catalog is valid: unique names, one default kind per credential type it serves")
    func shippedCatalogIsValid() throws {
        let catalog = try ProviderCatalog.load()
        #expect(Set(catalog.names).count == ProviderCatalog.kinds.count)
        #expect(Set(["box", "cilogon", "dropbox", "gdrive", "local-scitoken", "oauth2", "onedrive", "vault"]).isSubset(of: Set(catalog.names)))
        #expect(catalog.kinds(serving: .vault).contains { $0.servesWildcard }, "VAULT_CREDMON_PROVIDER_NAMES = * needs a kind that serves '*'")
        for type in CondorCredentialType.allCases where !catalog.kinds(serving: type).isEmpty {
            #expect(catalog.kinds(serving: type).filter { $0.servesUnrecognisedServices }.count == 1, "\(type)")
        }
    }

    @Test("Two kinds with one name are an error naming both")
    func duplicateNames() {
        #expect {
            _ = try KindCatalog(ProviderCatalog.kinds + [SecondLocalKind.self])
        } throws: { error in
            "\(error)".contains("two provider kinds are named 'local-scitoken'")
        }
    }

    @Test("Two kinds serving one type's unrecognised services are an error")
    func twoDefaults() {
        #expect(throws: KindCatalog.Problem.self) {
            _ = try KindCatalog(ProviderCatalog.kinds + [AnotherDefaultOAuthKind.self])
        }
    }

    @Test("A fragment-less service is recognised as HTCondor recognises it", arguments: [
        ("box", "https://api.box.com/oauth2/token", "box"),
        ("mystorage", "https://api.box.com/oauth2/token", "box"),
        ("gdrive", nil, "gdrive"),
        ("GDrive", nil, "gdrive"),
        ("drive", "https://oauth2.googleapis.com/token", "gdrive"),
        ("files", "https://login.microsoftonline.com/common/oauth2/v2.0/token", "onedrive"),
        ("dropbox", "https://api.dropboxapi.com/oauth2/token", "dropbox"),
        ("cilogon", nil, "cilogon"),
        ("box", "https://idp.example.org/token", "box"),
        ("myidp", "https://idp.example.org/token", "oauth2"),
        ("myidp", nil, "oauth2"),
    ] as [(String, String?, String)])
    func recognition(service: String, tokenURL: String?, expected: String) throws {
        let catalog = try ProviderCatalog.load()
        #expect(catalog.recognise(service: service, type: .oauth2, tokenURL: tokenURL)?.kind == expected)
    }

    @Test("Each credential type goes to the kinds that declare it; types no kind serves have none")
    func routingByType() throws {
        let catalog = try ProviderCatalog.load()
        #expect(catalog.recognise(service: "scitokens", type: .localIssuer, tokenURL: nil)?.kind == "local-scitoken")
        #expect(catalog.recognise(service: "box", type: .localIssuer, tokenURL: nil)?.kind == "local-scitoken")
        #expect(catalog.recognise(service: "anything", type: .unknown, tokenURL: nil) == nil)
    }

    @Test("Web roles come from the kinds: local issuers publish, OAuth kinds log users in with their quirks")
    func webRoles() throws {
        let catalog = try ProviderCatalog.load()
        #expect(catalog.kind(named: "local-scitoken")?.webRole == .publishesIssuer)
        guard case .oauthLogin(let google)? = catalog.kind(named: "gdrive")?.webRole else {
            Issue.record("gdrive has no web login")
            return
        }
        #expect(google.authorizationParameters == ["access_type": "offline", "prompt": "consent"])
        guard case .oauthLogin(let dropbox)? = catalog.kind(named: "dropbox")?.webRole,
              case .oauthLogin(let onedrive)? = catalog.kind(named: "onedrive")?.webRole else {
            Issue.record("dropbox or onedrive has no web login")
            return
        }
        #expect(dropbox.userinfoMethod == "POST")
        #expect(onedrive.requiredScopes == ["offline_access"])
    }

    /// The promise of docs/PROVIDERS.md: outside `Sources/Providers`, no source file names a kind in a string literal.
    @Test("No file outside Sources/Providers names a kind")
    func noKindNamesOutsideProviders() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources").path
        let names = try ProviderCatalog.load().names
        var offenders: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: sources)
        while let relative = enumerator?.nextObject() as? String {
            guard relative.hasSuffix(".swift"), !relative.hasPrefix("Providers/") else { continue }
            let text = try String(contentsOfFile: sources + "/" + relative, encoding: .utf8)
            for name in names where text.contains("\"\(name)\"") {
                offenders.append("\(relative): \"\(name)\"")
            }
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }
}

/// A second kind named like the local issuer (a copy-paste mistake in a new module).
private enum SecondLocalKind: ProviderKind {
    static let kind = "local-scitoken"
    static func makeProvider(name: String, fragment: inout FragmentReader, context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        throw ConfigurationErrors([])
    }
}

/// A second kind claiming every unrecognised OAuth2 service.
private enum AnotherDefaultOAuthKind: ProviderKind {
    static let kind = "my-oauth"
    static var servesUnrecognisedServices: Bool { true }
    static func makeProvider(name: String, fragment: inout FragmentReader, context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        throw ConfigurationErrors([])
    }
}
