import Foundation

extension OAuthServer {
    /// `POST /token` (RFC 6749 §3.2): client authentication, then the grant.
    func tokenEndpoint(_ request: HTTPServer.Request, notes: inout ExchangeNotes) -> HTTPServer.Response {
        do throws(OAuthError) {
            // RFC 8693 §2.1 lets `audience` and `resource` repeat; every other parameter, and these in other grants, may not.
            let repeatable: Set<String> = switch request.hasFormBody ? request.form["grant_type"] : nil {
            case TokenExchange.grantType?: ["audience", "resource"]
            case "client_credentials"?: ["audience"]
            default: []
            }
            let form = try oauthForm(request, repeatable: repeatable)
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
                let audiences = try allowedAudiences(form, configuration: configuration)
                issue = store.withLock {
                    $0.clientCredentials(clientID: client.id, scope: scope, audiences: audiences, configuration: configuration)
                }
            case TokenExchange.grantType:
                let exchange = try exchangeRequest(form, client: client, configuration: configuration)
                issue = try store.withLock { $0.exchange(exchange, configuration: configuration) }.get()
            default:
                throw .unsupportedGrantType(grantType)
            }
            return tokenResponse(issue, client: client)
        } catch {
            return error.response
        }
    }

    /// The non-empty `audience` values of `form`, each one allowed by `allowedAudiences` (else `invalid_target`).
    func allowedAudiences(_ form: FormBody, configuration: Configuration) throws(OAuthError) -> [String] {
        let audiences = form.values("audience").filter { !$0.isEmpty }
        if let allowed = configuration.allowedAudiences, let refused = audiences.first(where: { !allowed.contains($0) }) {
            throw .invalidTarget("audience \"\(refused)\" is not a target this server issues tokens for")
        }
        return audiences
    }

    /// The RFC 8693 §2.1 parameters of a token exchange, checked: `subject_token` and a supported
    /// `subject_token_type` (access token or JWT), a supported `requested_token_type` if any, allowed audiences.
    /// The subject token itself and the scope are the store's to judge.
    func exchangeRequest(_ form: FormBody, client: Client, configuration: Configuration) throws(OAuthError) -> TokenStore.ExchangeRequest {
        guard let subjectToken = form["subject_token"] else { throw .invalidRequest("subject_token is missing") }
        guard let subjectTokenType = form["subject_token_type"] else { throw .invalidRequest("subject_token_type is missing") }
        guard [TokenExchange.accessTokenType, TokenExchange.jwtTokenType].contains(subjectTokenType) else {
            throw .invalidRequest("subject_token_type \(subjectTokenType) is not supported")
        }
        let requestedTokenType = form["requested_token_type"]
        switch requestedTokenType {
        case nil, TokenExchange.accessTokenType?:
            break
        case TokenExchange.refreshTokenType? where configuration.exchangeIssuesRefreshToken:
            break
        case let other?:
            throw .invalidRequest("requested_token_type \(other) is not supported")
        }
        let audiences = try allowedAudiences(form, configuration: configuration)
        return TokenStore.ExchangeRequest(clientID: client.id, subjectToken: subjectToken, subjectTokenType: subjectTokenType,
                                          requestedTokenType: requestedTokenType, audiences: audiences,
                                          resources: form.values("resource").filter { !$0.isEmpty },
                                          scope: form["scope"])
    }

    /// RFC 6749 §5.1: the token response, not cached; with an OpenID Connect ID token when `openid` was asked for;
    /// with `issued_token_type` for a token exchange (RFC 8693 §2.2.1).
    func tokenResponse(_ issue: TokenIssue, client: Client) -> HTTPServer.Response {
        var body: [String: any Sendable] = [
            "access_token": issue.accessToken,
            "token_type": "Bearer",
            "scope": issue.scope,
        ]
        if issue.includesExpiresIn { body["expires_in"] = issue.expiresIn }
        if let issuedTokenType = issue.issuedTokenType { body["issued_token_type"] = issuedTokenType }
        if let refreshToken = issue.refreshToken {
            body["refresh_token"] = refreshToken
            if let left = refreshExpiresIn(refreshToken) { body["refresh_expires_in"] = left }
        }
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
