/// A provider that publishes an issuer's documents (its `openid-configuration` and JWKS): credmon-web serves them
/// for every provider in its table with this capability.
public protocol IssuerPublishing: Sendable {
    /// The issuer identifier (`iss` of the tokens).
    var issuer: String { get }
    /// The public key verifiers check the tokens with.
    var publicKey: JSONWebKey { get }
}
