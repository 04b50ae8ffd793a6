/// An RFC 6749 §5.2 error: the `error` code, a description, the status (400, or 401 for `invalid_client`),
/// and for a 401 the `WWW-Authenticate` challenge.
struct OAuthError: Error, Sendable {
    var code: String
    var description: String
    var status: Int = 400
    var wwwAuthenticate: String?

    static func invalidRequest(_ description: String) -> OAuthError { OAuthError(code: "invalid_request", description: description) }
    static func invalidGrant(_ description: String) -> OAuthError { OAuthError(code: "invalid_grant", description: description) }
    static func invalidScope(_ description: String) -> OAuthError { OAuthError(code: "invalid_scope", description: description) }
    /// RFC 8693 §2.2.2 (and RFC 8707 §2): an `audience` or `resource` the server will not issue tokens for.
    static func invalidTarget(_ description: String) -> OAuthError { OAuthError(code: "invalid_target", description: description) }
    static func unauthorizedClient(_ description: String) -> OAuthError { OAuthError(code: "unauthorized_client", description: description) }
    static func unsupportedGrantType(_ grantType: String) -> OAuthError {
        OAuthError(code: "unsupported_grant_type", description: "grant_type \(grantType) is not supported")
    }

    /// `invalid_client` with 401. When the client tried `Authorization` (`basicChallenge`), RFC 6749 §5.2
    /// requires a `WWW-Authenticate` challenge for the scheme it used: `Basic`. Otherwise none is sent, as
    /// most real servers do for `client_secret_post`.
    static func invalidClient(_ description: String, basicChallenge: Bool) -> OAuthError {
        OAuthError(code: "invalid_client", description: description, status: 401,
                   wwwAuthenticate: basicChallenge ? #"Basic realm="OAuthTestServer", charset="UTF-8""# : nil)
    }

    /// The JSON response, not cached.
    var response: HTTPServer.Response {
        var headers: HTTPServer.Headers = ["Cache-Control": "no-store", "Pragma": "no-cache"]
        if let wwwAuthenticate { headers.add("WWW-Authenticate", wwwAuthenticate) }
        return .json(status, ["error": code, "error_description": description], headers: headers)
    }
}
