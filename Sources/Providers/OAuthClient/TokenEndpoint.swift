import Engine
import FoundationEssentials

/// One token request with the form fields a kind composes itself (a repeated `audience`, RFC 8693's parameters):
/// ``OAuth2Client``'s request and answer checks, with failures classified for the engine.
public struct TokenEndpoint: Sendable {
    let client: OAuth2Client

    public init(http: any HTTPClient, timeout: Duration) {
        client = OAuth2Client(http: http, timeout: timeout)
    }

    /// POSTs `fields` (form-encoded, with the client's authentication) to `url`; the token answer, or a
    /// ``ProviderError`` (terminal for the codes retrying cannot fix, ``OAuthError/terminalCodes``).
    public func request(fields: [(String, String)], client credentials: ClientCredentials, url: URL) async throws(ProviderError) -> TokenResponse {
        do {
            return try await client.tokenRequest(fields: fields, client: credentials, url: url)
        } catch {
            throw error.providerError
        }
    }
}

extension TokenResponse {
    /// When an answer's access token is valid: from `now` (whole seconds) for `expires_in`, or `fallbackLifetime`
    /// without one; a JWT's earlier `exp` wins. Fails when the token arrives already expired or its claims cannot be
    /// read.
    public func validity(now: Date, fallbackLifetime: Int, endpoint: String) throws(ProviderError) -> (validity: TokenValidity, expiresIn: Int64) {
        let lifetime = expiresIn.map { $0.rounded() } ?? TimeInterval(fallbackLifetime)
        guard lifetime >= 1 else {
            throw .transient(.tokenAlreadyExpired, "\(endpoint): the access token is already expired when it arrives (expires_in \(Int64(lifetime)))")
        }
        let issued = Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded())
        var validity = TokenValidity(issuedAt: issued, expiresAt: issued.addingTimeInterval(lifetime))
        let claims: JWTClaims?
        do {
            claims = try JWTClaims.peek(accessToken)
        } catch {
            throw .transient(.unusableToken, "\(endpoint): the access token's \(error)")
        }
        if let exp = claims?.expiration, exp < validity.expiresAt {
            guard exp > issued else {
                throw .transient(.tokenAlreadyExpired, "\(endpoint): the access token's exp (\(ExternalTime.epochSeconds(exp))) is not after now")
            }
            validity = TokenValidity(issuedAt: issued, expiresAt: exp)
        }
        return (validity, Int64(lifetime))
    }
}
