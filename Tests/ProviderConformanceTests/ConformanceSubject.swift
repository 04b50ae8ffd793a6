import Engine
import Testing

/// One kind under the conformance suite: a fragment that builds one provider against the loopback servers of a
/// test (``ConformanceFixture``), and what its operations should yield. Add one to ``ConformanceSubjects/all`` for
/// every kind in `ProviderCatalog.kinds`.
struct ConformanceSubject: Sendable, CustomTestStringConvertible {
    /// The kind under test.
    var kind: any ProviderKind.Type
    /// The fragment's keys after `name` and `kind`, one per line.
    var keys: @Sendable (ConformanceFixture) -> [String]
    /// Where a credential's first token comes from.
    var seed: Seed
    /// Whether the provider hands back a rotated seed when its server rotates (the loopback server then rotates).
    var rotatesSeed: Bool
    /// What `revoke` does with a seed.
    var revocation: Revocation
    /// Whether the error-class checks (refused grant, 503, network error, `Retry-After`) apply.
    var errorClasses: Applicability
    /// A setting that changes the tokens issued, and another value of it: the fingerprint must change.
    var tokenSetting: (key: String, value: String)
    /// A key with a value of the wrong type: the error names the file, the line and the key.
    var wrongType: (key: String, value: String)
    /// A key whose absence is an error (it is left out of the fragment), or why the kind has none.
    var requiredKey: Requirement
    /// For kinds with `knobFragment`: a knob-only configuration and the keys of the equivalent fragment.
    var knobs: (@Sendable (ConformanceFixture) -> (knobs: [String: String], keys: [String]))?
    /// How the server is made to refuse the credential for the "refused grant" check (where error classes apply).
    var refusal: Refusal = .revokedGrant
    /// The form of the `.use` the provider writes.
    var accessFileFormat: AccessTokenFile.Format = .json
    /// The server path the provider's renewals go to (where the error-class checks inject their faults).
    var tokenPath = "/token"

    /// Where the first token comes from.
    enum Seed: Sendable {
        /// An OAuth `.top` holding a refresh token of a grant the loopback server issued.
        case refreshToken
        /// Nothing: the provider signs locally (the `.top` is a placeholder).
        case placeholder
        /// A placeholder `.top` (never read): the token comes from the loopback server's client-credentials grant
        /// (RFC 6749 §4.4) for the fixture's client.
        case clientCredentials
        /// A storer's `.top` holding a subject token (a live access token of a grant the loopback server issued) to
        /// exchange (RFC 8693); the exchange returns a refresh token, which the new seed holds.
        case subjectToken
        /// A Vault `.top`: a Vault token (a live access token of a grant of the loopback server, whose `/v1/`
        /// stand-in answers as Vault does) and the `vault_url` of that stand-in.
        case vaultToken
    }

    /// How the server refuses a credential for good.
    enum Refusal: Sendable {
        /// The grant the seed stands for is revoked: `invalid_grant`.
        case revokedGrant
        /// The grant of the Vault token is revoked: Vault's `permission denied`, which discards the credential (its
        /// `.top` and `.use` are removed, as HTCondor's Vault credmon removes them).
        case revokedVaultToken
        /// The server no longer knows the client: `invalid_client` (a client-credentials grant has no grant of its
        /// own to revoke).
        case unregisteredClient
    }

    /// What `revoke` does with a seed the provider's server knows.
    enum Revocation: Sendable {
        /// RFC 7009: the refresh token is no longer active afterwards; an unknown token is not an error (§2.2).
        case rfc7009
        /// Refresh, then POST the fresh access token as Bearer to the revocation URL (Dropbox); an unknown refresh
        /// token cannot be refreshed (`invalid_grant`): the grant is gone, nothing is left to revoke, no error.
        case bearerAccessToken
        /// Nothing to revoke (local tokens are short-lived).
        case nothing
    }

    /// Whether a group of checks applies, and if not, why.
    enum Applicability: Sendable {
        case applies
        case notApplicable(String)
    }

    /// A required key, or why there is none.
    enum Requirement: Sendable {
        /// Leaving `key` out of the fragment (the other keys as in ``keys``) is an error about `key`.
        case key(String)
        case none(String)
    }

    var testDescription: String { kind.kind }
}
