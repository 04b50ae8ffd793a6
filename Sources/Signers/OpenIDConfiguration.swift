import FoundationEssentials

/// The minimal OpenID Connect discovery document (`.well-known/openid-configuration`) that token verifiers read.
public struct OpenIDConfiguration: Sendable, Equatable, Codable {
    /// The issuer URL, exactly as in the tokens' `iss` claim.
    public var issuer: String
    /// The URL of the JWKS (`jwks_uri`).
    public var jwksURI: String

    /// Creates a discovery document.
    public init(issuer: String, jwksURI: String) {
        self.issuer = issuer
        self.jwksURI = jwksURI
    }

    private enum CodingKeys: String, CodingKey {
        case issuer
        case jwksURI = "jwks_uri"
    }

    /// The JSON document: sorted keys, slashes not escaped.
    public func jsonData() -> Data {
        JSONDocumentEncoding.encode(self)
    }
}
