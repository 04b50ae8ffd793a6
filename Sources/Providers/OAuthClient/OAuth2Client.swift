import Engine
import FoundationEssentials

/// The OAuth 2.0 calls Credmon makes (RFC 6749, RFC 7009), over an ``HTTPClient``.
public struct OAuth2Client: Sendable {
    public let http: any HTTPClient
    /// Deadline of each exchange.
    public var timeout: Duration

    public init(http: any HTTPClient, timeout: Duration = .seconds(30)) {
        self.http = http
        self.timeout = timeout
    }

    /// `grant_type=refresh_token` (RFC 6749 §6).
    public func refresh(refreshToken: String, client: ClientCredentials, tokenURL: URL, scope: String? = nil) async throws(OAuthError) -> TokenResponse {
        var fields = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if let scope, !scope.isEmpty { fields.append(("scope", scope)) }
        return try await tokenRequest(fields: fields, client: client, url: tokenURL)
    }

    /// `grant_type=authorization_code` with the PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5).
    public func exchangeCode(_ code: String, redirectURI: String, codeVerifier: String, client: ClientCredentials, tokenURL: URL) async throws(OAuthError) -> TokenResponse {
        try await tokenRequest(fields: [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
                                        ("code_verifier", codeVerifier)], client: client, url: tokenURL)
    }

    /// `grant_type=client_credentials` (RFC 6749 §4.4).
    public func clientCredentials(client: ClientCredentials, tokenURL: URL, scope: String? = nil, audience: String? = nil) async throws(OAuthError) -> TokenResponse {
        var fields = [("grant_type", "client_credentials")]
        if let scope, !scope.isEmpty { fields.append(("scope", scope)) }
        if let audience, !audience.isEmpty { fields.append(("audience", audience)) }
        return try await tokenRequest(fields: fields, client: client, url: tokenURL)
    }

    /// RFC 7009 revocation. An unknown token is not an error (the server answers 200).
    public func revoke(token: String, hint: String?, client: ClientCredentials, revocationURL: URL) async throws(OAuthError) {
        var fields = [("token", token)]
        if let hint { fields.append(("token_type_hint", hint)) }
        let response = try await post(fields: fields, client: client, url: revocationURL)
        guard response.status == 200 else { throw Self.failure(response, endpoint: Self.endpoint(revocationURL)) }
    }

    /// Dropbox-style revocation: an authenticated POST with the access token as Bearer (disables its whole grant).
    public func revokeWithBearer(accessToken: String, revocationURL: URL) async throws(OAuthError) {
        let request = HTTPRequest(method: "POST", url: revocationURL, headers: [("Authorization", "Bearer " + accessToken)], body: nil, timeout: timeout)
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch {
            throw OAuthError(kind: .transport, endpoint: Self.endpoint(revocationURL), message: error.message)
        }
        guard (200..<300).contains(response.status) else { throw Self.failure(response, endpoint: Self.endpoint(revocationURL)) }
    }

    /// POSTs a token request of `fields` (the grant's own) with the client's authentication, and checks the answer.
    public func tokenRequest(fields: [(String, String)], client: ClientCredentials, url: URL) async throws(OAuthError) -> TokenResponse {
        let response = try await post(fields: fields, client: client, url: url)
        let endpoint = Self.endpoint(url)
        guard response.status == 200 else { throw Self.failure(response, endpoint: endpoint) }
        if let error = Self.protocolError(response, endpoint: endpoint) { throw error }
        if let type = response.headers["content-type"], !Self.isTokenAnswerType(type) {
            throw OAuthError(kind: .malformedResponse, endpoint: endpoint,
                             message: "HTTP 200 with Content-Type \(SafeText.printable(type, limit: 60)), not a token answer (expected application/json)")
        }
        do {
            return try TokenResponse.parse(response.body)
        } catch {
            throw OAuthError(kind: .malformedResponse, endpoint: endpoint, message: "HTTP 200 without a usable token answer: " + error.problem,
                             salvagedRefreshToken: error.refreshToken)
        }
    }

    /// JSON (RFC 6749 §5.1), or the form-encoded and plain-text answers some servers give.
    static func isTokenAnswerType(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingSpaces().lowercased() } ?? ""
        return type == "application/json" || type.hasSuffix("+json") || type == "application/x-www-form-urlencoded"
            || type == "text/plain" || type == "text/javascript" || type.isEmpty
    }

    private func post(fields: [(String, String)], client: ClientCredentials, url: URL) async throws(OAuthError) -> HTTPResponse {
        var fields = fields
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("Content-Type", "application/x-www-form-urlencoded")]
        client.authenticate(fields: &fields, headers: &headers)
        let request = HTTPRequest(method: "POST", url: url, headers: headers, body: FormEncoding.encode(fields), timeout: timeout)
        do {
            return try await http.send(request)
        } catch {
            throw OAuthError(kind: .transport, endpoint: Self.endpoint(url), message: error.message)
        }
    }

    static func failure(_ response: HTTPResponse, endpoint: String) -> OAuthError {
        if let error = protocolError(response, endpoint: endpoint) { return error }
        if response.status == 401 {
            // RFC 6749 §5.2: a 401 from these endpoints is a refused client authentication.
            return OAuthError(kind: .protocolError(code: "invalid_client"), endpoint: endpoint,
                              message: "HTTP 401 invalid_client: the server refused the client's credentials")
        }
        return OAuthError(kind: .httpStatus(response.status), endpoint: endpoint, message: "HTTP \(response.status)",
                          retryAfter: retryAfter(response))
    }

    /// An RFC 6749 §5.2 error body, if the response has one. The code must be of RFC 6749's character set (at most
    /// 64 characters) to count; the description is cut and its control characters escaped (it reaches the log).
    static func protocolError(_ response: HTTPResponse, endpoint: String) -> OAuthError? {
        guard let object = JSONValue.parseObject(response.body), let raw = object["error"]?.stringValue,
              let code = SafeText.oauthErrorCode(raw) else { return nil }
        let description = object["error_description"]?.stringValue.map { ": " + SafeText.printable($0, limit: 200) } ?? ""
        return OAuthError(kind: .protocolError(code: code), endpoint: endpoint, message: "HTTP \(response.status) \(code)\(description)",
                          retryAfter: retryAfter(response))
    }

    /// `Retry-After` in seconds (delay-seconds or an HTTP date), bounded; nil when absent or not valid.
    static func retryAfter(_ response: HTTPResponse) -> TimeInterval? {
        response.headers["retry-after"].flatMap { RetryAfter.seconds($0, now: Date()) }
    }

    public static func endpoint(_ url: URL) -> String {
        var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        components?.query = nil
        components?.user = nil
        components?.password = nil
        return components?.string ?? "(token endpoint)"
    }
}
