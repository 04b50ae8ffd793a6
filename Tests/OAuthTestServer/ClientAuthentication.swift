import Foundation

extension OAuthServer {
    /// Authenticates the client of a token, revocation or introspection request (RFC 6749 §2.3.1): exactly
    /// one of `client_secret_basic` and `client_secret_post`.
    ///
    /// - Basic and `client_secret` in the body → `invalid_request`; Basic and a different `client_id` in the
    ///   body → `invalid_request`.
    /// - No credentials, an unknown client, a wrong secret, a method the client may not use, a malformed
    ///   Basic header or another scheme → 401 `invalid_client`, with `WWW-Authenticate: Basic` whenever the
    ///   request had an `Authorization` header (RFC 6749 §5.2).
    func authenticateClient(_ request: HTTPServer.Request, form: FormBody) throws(OAuthError) -> (client: Client, method: AuthMethod) {
        let configuration = self.configuration
        let challenge = request.headers.contains("authorization")
        var candidates: [(id: String, secret: String)] = []
        let method: AuthMethod
        if let authorization = request.headers["authorization"] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "basic" else {
                throw .invalidClient("only the Basic scheme authenticates clients here", basicChallenge: challenge)
            }
            guard let decoded = Data(base64Encoded: parts[1].trimmingOWS()),
                  let text = String(data: decoded, encoding: .utf8),
                  let colon = text.firstIndex(of: ":") else {
                throw .invalidClient("malformed Basic credentials", basicChallenge: challenge)
            }
            guard form["client_secret"] == nil else {
                throw .invalidRequest("more than one client authentication method (Basic and client_secret)")
            }
            let rawID = String(text[..<colon])
            let rawSecret = String(text[text.index(after: colon)...])
            switch configuration.basicCredentialEncoding {
            case .formURLEncoded:
                candidates = [(FormBody.decode(rawID), FormBody.decode(rawSecret))]
            case .raw:
                candidates = [(rawID, rawSecret)]
            case .either:
                candidates = [(FormBody.decode(rawID), FormBody.decode(rawSecret)), (rawID, rawSecret)]
            }
            if let bodyID = form["client_id"], !candidates.contains(where: { $0.id == bodyID }) {
                throw .invalidRequest("client_id in the body differs from the Basic credentials")
            }
            method = .basic
        } else if let id = form["client_id"], let secret = form["client_secret"] {
            candidates = [(id, secret)]
            method = .post
        } else if form["client_id"] != nil {
            throw .invalidClient("client authentication required (no client_secret)", basicChallenge: challenge)
        } else {
            throw .invalidClient("client authentication required", basicChallenge: challenge)
        }
        for candidate in candidates {
            guard let client = configuration.clients.first(where: { $0.id == candidate.id }), client.secret == candidate.secret else {
                continue
            }
            guard client.authMethods.contains(method) else {
                throw .invalidClient("client \(client.id) may not use \(method.rawValue)", basicChallenge: challenge)
            }
            return (client, method)
        }
        throw .invalidClient("unknown client or wrong secret", basicChallenge: challenge)
    }
}
