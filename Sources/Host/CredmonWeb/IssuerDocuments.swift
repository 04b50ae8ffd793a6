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
        let matching = issuers.filter { Self.path(of: $0) == prefix }
        if !matching.isEmpty { return matching }
        return Set(issuers.map(\.issuer)).count == 1 ? issuers : []
    }

    /// The paths, relative to `prefix`, of the issuers whose URL path lies below it (`/wlcg` for
    /// `https://host/wlcg` under the prefix ""), sorted.
    func subpaths(below prefix: String) -> [String] {
        let paths = issuers.map(Self.path(of:)).filter { $0.count > prefix.count && $0.hasPrefix(prefix + "/") }
        return Set(paths.map { String($0.dropFirst(prefix.count)) }).sorted()
    }

    private static func path(of issuer: Issuer) -> String {
        WebConfiguration.normalizedPrefix(URLComponents(string: issuer.issuer)?.path ?? "")
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
