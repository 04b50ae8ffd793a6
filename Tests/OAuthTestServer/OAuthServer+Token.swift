import Foundation

extension OAuthServer {
    /// `POST /token` (RFC 6749 §3.2): client authentication, then the grant.
    func tokenEndpoint(_ request: HTTPServer.Request, notes: inout ExchangeNotes) -> HTTPServer.Response {
        do throws(OAuthError) {
            let form = try oauthForm(request)
            let (client, method) = try authenticateClient(request, form: form)
            notes.clientAuthentication = method
            guard let grantType = form["grant_type"] else { throw .invalidRequest("grant_type is missing") }
            let configuration = self.configuration
            let issue: TokenIssue
            switch grantType {
            case "refresh_token":
                guard let refreshToken = form["refresh_token"] else { throw .invalidRequest("refresh_token is missing") }
                issue = try store.withLock {
                    $0.refresh(token: refreshToken, clientID: client.id, requestedScope: form["scope"], configuration: configuration)
                }.get()
            case "authorization_code":
                guard let code = form["code"] else { throw .invalidRequest("code is missing") }
                issue = try store.withLock {
                    $0.exchangeCode(code, clientID: client.id, redirectURI: form["redirect_uri"], verifier: form["code_verifier"],
                                    configuration: configuration)
                }.get()
            case "client_credentials":
                let scope = Scope.join(Scope.split(form["scope"] ?? ""))
                if let allowed = client.allowedScopes, !Scope.split(scope).allSatisfy(allowed.contains) {
                    throw .invalidScope("scope \"\(scope)\" is not allowed for client \(client.id)")
                }
                issue = store.withLock { $0.clientCredentials(clientID: client.id, scope: scope, configuration: configuration) }
            default:
                throw .unsupportedGrantType(grantType)
            }
            return tokenResponse(issue, client: client)
        } catch {
            return error.response
        }
    }

    /// RFC 6749 §5.1: the token response, not cached; with an OpenID Connect ID token when `openid` was asked for.
    func tokenResponse(_ issue: TokenIssue, client: Client) -> HTTPServer.Response {
        var body: [String: any Sendable] = [
            "access_token": issue.accessToken,
            "token_type": "Bearer",
            "expires_in": issue.expiresIn,
            "scope": issue.scope,
        ]
        if let refreshToken = issue.refreshToken { body["refresh_token"] = refreshToken }
        if let openID = issue.openID {
            body["id_token"] = idToken(subject: openID.subject, nonce: configuration.idTokenNonceOverride ?? openID.nonce, client: client)
        }
        return .json(200, body, headers: ["Cache-Control": "no-store", "Pragma": "no-cache"])
    }

    /// An ID token (OpenID Connect Core §2) signed HS256 with the client secret (§10.1), as a confidential client's
    /// provider may sign it.
    func idToken(subject: String, nonce: String?, client: Client) -> String {
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: any Sendable] = ["iss": issuer, "sub": subject, "aud": client.id, "iat": now, "exp": now + 300]
        if let nonce { claims["nonce"] = nonce }
        let header = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let payload = base64URL(Array((try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])) ?? Data()))
        let signature = SHA256.hmac(key: Array(client.secret.utf8), message: Array((header + "." + payload).utf8))
        return header + "." + payload + "." + base64URL(signature)
    }
}
