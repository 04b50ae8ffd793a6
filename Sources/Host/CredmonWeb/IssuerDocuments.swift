import Foundation
import Signers

/// The local issuers' public documents: `/.well-known/openid-configuration` and the JWKS (`/.well-known/jwks-uri`,
/// `/jwks`), so that verifiers (scitokens-cpp, python-scitokens, XRootD) can check the tokens the daemon mints.
struct IssuerDocuments: Sendable {
    struct Issuer: Sendable, Equatable {
        var issuer: String
        var key: JSONWebKey
    }

    let issuers: [Issuer]

    /// The issuers this app answers for at `prefix`: those whose URL path is the prefix, else the only issuer.
    func issuers(atPrefix prefix: String) -> [Issuer] {
        let matching = issuers.filter { WebConfiguration.normalizedPrefix(URLComponents(string: $0.issuer)?.path ?? "") == prefix }
        if !matching.isEmpty { return matching }
        return Set(issuers.map(\.issuer)).count == 1 ? issuers : []
    }

    /// The discovery document, or nil when no local issuer lives here.
    func openIDConfiguration(prefix: String) -> Data? {
        guard let issuer = issuers(atPrefix: prefix).first?.issuer else { return nil }
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        return OpenIDConfiguration(issuer: issuer, jwksURI: base + "/.well-known/jwks-uri").jsonData()
    }

    /// The keys of the issuers at `prefix` (of every local issuer when none is at the prefix).
    func jwks(prefix: String) -> Data {
        let selected = issuers(atPrefix: prefix)
        var keys: [JSONWebKey] = []
        for issuer in selected.isEmpty ? issuers : selected where !keys.contains(issuer.key) { keys.append(issuer.key) }
        return JWKSet(keys: keys).jsonData()
    }
}
