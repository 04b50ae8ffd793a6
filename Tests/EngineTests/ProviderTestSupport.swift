import Foundation
import Testing
@testable import Engine

/// A provider that does nothing but remember the settings its fragment gave it.
struct EchoProvider: CredentialProvider {
    let profile: ProviderProfile

    func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate {
        CredentialUpdate(accessTokenFile: Array(#"{"access_token":"echo"}"#.utf8), validity: nil)
    }
    func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate { try await fetch(request) }
    func revoke(_ request: RevocationRequest) async throws {}

    /// The value of a setting, as the kind recorded it.
    func setting(_ key: String) -> String? { profile.settings.first { $0.key == key }?.value }
}

/// `kind: echo`: reads one key of every type the reader offers.
enum EchoKind: ProviderKind {
    static let kind = "echo"

    static func makeProvider(name: String, fragment: inout FragmentReader, context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        let lifetime = fragment.integer("lifetime", in: 60...86_400, unit: "seconds")
        let enabled = fragment.bool("enabled")
        let fraction = fragment.number("renew_fraction", in: 0.05...0.95)
        let audience = fragment.string("audience")
        let scopes = fragment.stringList("scopes")
        let mode = fragment.choice("mode", of: ["fast", "slow"])
        let label = fragment.string("label", required: false)
        let errors = fragment.finish()
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        let settings: [ProviderProfile.Setting] = [
            .init("lifetime", lifetime.map(String.init) ?? "-"),
            .init("enabled", enabled.map(String.init) ?? "-"),
            .init("renew_fraction", fraction.map { String($0) } ?? "-"),
            .init("audience", audience ?? "-"),
            .init("scopes", scopes?.joined(separator: "|") ?? "-"),
            .init("mode", mode ?? "-"),
            .init("label", label ?? "-"),
        ]
        return EchoProvider(profile: ProviderProfile(
            name: name, kind: kind,
            traits: ProviderTraits(allowsHandles: true, readsSeed: false, renewFraction: fraction ?? 0.5, revokesOnRemoval: false),
            settings: settings, fingerprint: settings.map { "\($0.key)=\($0.value)" }.joined(separator: ";") + ";\(UUID())"))
    }
}

/// `kind: catch-all`: `other-kind` that may be named `*`.
enum CatchAllKind: ProviderKind {
    static let kind = "catch-all"
    static var servesWildcard: Bool { true }

    static func makeProvider(name: String, fragment: inout FragmentReader, context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        let errors = fragment.finish()
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        return EchoProvider(profile: ProviderProfile(
            name: name, kind: kind,
            traits: ProviderTraits(allowsHandles: true, readsSeed: true, renewFraction: 0.5, revokesOnRemoval: false),
            settings: [], fingerprint: "catch-all"))
    }
}

/// `kind: other-kind`: accepts only `name` and `kind`.
enum OtherKind: ProviderKind {
    static let kind = "other-kind"

    static func makeProvider(name: String, fragment: inout FragmentReader, context: ProviderBuildContext) throws(ConfigurationErrors) -> any CredentialProvider {
        let errors = fragment.finish()
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
        return EchoProvider(profile: ProviderProfile(
            name: name, kind: kind,
            traits: ProviderTraits(allowsHandles: false, readsSeed: false, renewFraction: 0.5, revokesOnRemoval: false),
            settings: [], fingerprint: "other"))
    }
}

/// A providers directory in a temporary directory.
struct ProvidersDirectory {
    let root: TemporaryDirectory
    var path: String { root.file("providers.d") }

    init() throws {
        root = try TemporaryDirectory("engine-providers")
        try root.makeDirectory("providers.d", mode: 0o755)
    }

    /// Writes a fragment and returns its path.
    @discardableResult
    func write(_ file: String, _ yaml: String) throws -> String {
        try root.write("providers.d/" + file, yaml)
    }

    func remove(_ file: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + file)
    }

    func load(kinds: [any ProviderKind.Type] = [EchoKind.self, OtherKind.self], allowSpecialCharacterNames: Bool = false) -> ProviderTable.LoadResult {
        ProviderTable.load(directory: path, catalog: try! KindCatalog(kinds), context: ProviderBuildContext(
            keyDirectory: root.file("keys"), hostName: "test.example.org", createMissingKeys: false,
            allowSpecialCharacterNames: allowSpecialCharacterNames, logger: quietLogger))
    }
}

extension ProviderTable.LoadResult {
    /// The errors about `file`.
    func errors(in file: String) -> [ConfigurationError] { errors.filter { $0.file == file } }

    /// The echo provider named `name`, if loaded.
    func echo(_ name: String) -> EchoProvider? { table.provider(for: name) as? EchoProvider }
}
