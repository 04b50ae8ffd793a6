import ArgumentParser
import Engine
import FoundationEssentials
import LocalSciToken
import Logging
import Signers

/// `credmon jwks`: the public keys of every local issuer, as a JWKS document.
struct JWKSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwks",
        abstract: "Print the JWKS of every local issuer (or of one, with --issuer), or their openid-configuration documents.")

    @OptionGroup var locations: LocationOptions

    @Option(name: .customLong("issuer"), help: "Only the keys of this issuer.")
    var issuer: String?

    @Flag(name: .customLong("openid-configuration"),
          help: "Print each issuer's /.well-known/openid-configuration document instead (one JSON object per line).")
    var openIDConfiguration = false

    @Option(name: .customLong("jwks-uri"), help: "With --openid-configuration: the jwks_uri (default <issuer>/.well-known/jwks-uri).")
    var jwksURI: String?

    func run() async throws {
        let logger = Logger(label: "credmon.jwks", factory: { _ in SwiftLogNoOpLogHandler() })
        let loaded = LocationOptions.loadProviders(locations.deployment(), createMissingKeys: false, logger: logger)
        var keys: [JSONWebKey] = []
        for name in loaded.table.names {
            guard let local = loaded.table.provider(for: name) as? LocalSciTokenProvider else { continue }
            if let issuer, local.configuration.issuer != issuer { continue }
            if !local.hasConfiguredKey {
                throw ValidationError("\(name): the private key \(local.configuration.privateKeyPath) does not exist yet; start the daemon or run credmon keygen")
            }
            if let existing = keys.first(where: { $0.kid == local.publicJWK.kid }), existing != local.publicJWK {
                throw ValidationError("two different keys share the key id '\(local.publicJWK.kid)'; give each issuer its own key_id")
            }
            if !keys.contains(local.publicJWK) { keys.append(local.publicJWK) }
        }
        if keys.isEmpty && !loaded.errors.isEmpty {
            throw ValidationError(loaded.errors.map(\.description).joined(separator: "\n"))
        }
        if openIDConfiguration {
            let issuers = Set(loaded.table.names.compactMap { (loaded.table.provider(for: $0) as? LocalSciTokenProvider)?.configuration.issuer })
            for issuer in issuers.sorted() where self.issuer == nil || issuer == self.issuer {
                let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
                let document = OpenIDConfiguration(issuer: issuer, jwksURI: jwksURI ?? base + "/.well-known/jwks-uri")
                print(String(decoding: document.jsonData(), as: UTF8.self))
            }
            return
        }
        print(String(decoding: JWKSet(keys: keys).jsonData(), as: UTF8.self))
    }
}
