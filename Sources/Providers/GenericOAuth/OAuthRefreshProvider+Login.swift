import Engine
import FoundationEssentials
import OAuthClient

extension OAuthRefreshProvider {
    /// The first token of a web login: exchanges the authorization grant (RFC 6749 §4.1.3 with the PKCE verifier)
    /// and returns the three files to store — `.meta` (the grant's client and token URL), `.top` (the refresh token
    /// with condor_credd's scopes and audience), `.use` — and who logged in. An answer that cannot become a `.use`
    /// (an already expired token, …) is an error and nothing is to be stored.
    func exchange(_ grant: AuthorizationGrant, request: CredentialRequest) async throws(ProviderError) -> CredentialUpdate {
        let client = ClientCredentials(id: grant.clientID, secret: grant.clientSecret, authentication: configuration.clientAuthentication)
        let token: TokenResponse
        do {
            token = try await self.client.exchangeCode(grant.code, redirectURI: grant.redirectURI, codeVerifier: grant.codeVerifier,
                                                       client: client, tokenURL: grant.tokenURL)
        } catch {
            throw error.providerError
        }
        let use: (bytes: [UInt8], validity: TokenValidity?)
        do throws(TokenAnswerError) {
            use = try token.accessTokenFile(issuedAt: request.now)
        } catch {
            throw .transient(.unusableTokenAnswer, "\(OAuth2Client.endpoint(grant.tokenURL)): \(error.problem)")
        }
        let displayName = await UserInfo.displayName(token: token, userinfoURL: grant.userinfoURL,
                                                     method: configuration.preset.userinfoMethod, http: http)
        let nonce = token.object["id_token"]?.stringValue.map { JWTClaims.payload($0)?["nonce"]?.stringValue ?? "" }
        return CredentialUpdate(
            accessTokenFile: use.bytes, validity: use.validity,
            rotatedSeed: SeedFile.renderOAuth(refreshToken: token.refreshToken, scopes: grant.seedScopes, audience: grant.seedAudience),
            metadata: ClientMetadata.render(clientID: grant.clientID, clientSecret: grant.clientSecret, tokenURL: grant.tokenURL.absoluteString,
                                            useRefreshToken: token.refreshToken != nil),
            login: LoginOutcome(displayName: displayName, idTokenNonce: nonce, hasRefreshToken: token.refreshToken != nil))
    }
}
