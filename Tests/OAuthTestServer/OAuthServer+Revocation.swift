import Foundation

extension OAuthServer {
    /// `POST /revoke` (RFC 7009): client authentication, then `token` (+ `token_type_hint`). Revoking a refresh
    /// token revokes its whole grant (its access tokens too); an access token only itself. Unknown tokens
    /// still get 200 (§2.2); a token of another client is 400 `unauthorized_client`.
    func revocationEndpoint(_ request: HTTPServer.Request, notes: inout ExchangeNotes) -> HTTPServer.Response {
        do throws(OAuthError) {
            let form = try oauthForm(request)
            let (client, method) = try authenticateClient(request, form: form)
            notes.clientAuthentication = method
            guard let token = form["token"] else { throw .invalidRequest("token is missing") }
            try store.withLock { $0.revoke(token, hint: form["token_type_hint"], clientID: client.id) }.get()
            return HTTPServer.Response(status: 200, headers: ["Cache-Control": "no-store"])
        } catch {
            return error.response
        }
    }

    /// `POST /introspect` (RFC 7662): client authentication, then `token` (+ `token_type_hint`). Any
    /// authenticated client may introspect any token. Inactive or unknown: `{"active": false}`.
    func introspectionEndpoint(_ request: HTTPServer.Request, notes: inout ExchangeNotes) -> HTTPServer.Response {
        do throws(OAuthError) {
            let form = try oauthForm(request)
            let (_, method) = try authenticateClient(request, form: form)
            notes.clientAuthentication = method
            guard let token = form["token"] else { throw .invalidRequest("token is missing") }
            let configuration = self.configuration
            let answer = store.withLock { $0.introspect(token, hint: form["token_type_hint"], configuration: configuration) }
            return .json(200, answer, headers: ["Cache-Control": "no-store"])
        } catch {
            return error.response
        }
    }

    /// `GET`/`POST /userinfo` with `Authorization: Bearer <access token>` (RFC 6750 §2.1):
    /// `{"sub", "name", "email", "preferred_username"}`. No or another scheme: 401 with a bare `Bearer`
    /// challenge; an invalid token: 401 `invalid_token`.
    func userinfoEndpoint(_ request: HTTPServer.Request) -> HTTPServer.Response {
        let parts = (request.headers["authorization"] ?? "").split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return .json(401, ["error": "invalid_request", "error_description": "a Bearer access token is required"],
                         headers: ["WWW-Authenticate": #"Bearer realm="OAuthTestServer""#])
        }
        let token = parts[1].trimmingOWS()
        guard let record = store.withLock({ $0.activeAccessRecord(token) }) else {
            return .json(401, ["error": "invalid_token", "error_description": "the access token is unknown, expired or revoked"],
                         headers: ["WWW-Authenticate": #"Bearer realm="OAuthTestServer", error="invalid_token""#])
        }
        return .json(200, ["sub": record.subject, "name": record.subject, "preferred_username": record.subject,
                           "email": "\(record.subject)@example.org"], headers: ["Cache-Control": "no-store"])
    }
}
