import FoundationEssentials

/// A JSON Web Key Set (RFC 7517 §5): the document served at `jwks_uri`.
public struct JWKSet: Sendable, Equatable, Codable {
    /// The public keys.
    public var keys: [JSONWebKey]

    /// Creates a set of keys.
    public init(keys: [JSONWebKey]) {
        self.keys = keys
    }

    /// The JSON document: sorted keys, slashes not escaped, absent members omitted.
    public func jsonData() -> Data {
        JSONDocumentEncoding.encode(self)
    }
}
