import Engine
import Foundation
import OAuthClient

/// One token request with form fields the shared `OAuth2Client` does not send (a repeated `audience`): POST
/// `application/x-www-form-urlencoded`, the client's authentication, one deadline; the answer checked as
/// `OAuth2Client` checks it (RFC 6749 §5.1 JSON, §5.2 error codes, 401 as `invalid_client`, `Retry-After`).
struct TokenEndpoint: Sendable {
    let http: any HTTPClient
    let timeout: Duration

    /// Codes after which asking again with the same settings cannot help: the client, its scope or its target is
    /// refused (`invalid_target` is RFC 8693's; `OAuthError` does not know it).
    static let terminalCodes = OAuthError.terminalCodes.union(["invalid_target"])

    func request(fields: [(String, String)], client: ClientCredentials, url: URL) async throws(ProviderError) -> TokenResponse {
        var fields = fields
        var headers: [(name: String, value: String)] = [("Accept", "application/json"), ("Content-Type", "application/x-www-form-urlencoded")]
        switch client.authentication {
        case .post:
            fields.append(("client_id", client.id))
            if let secret = client.secret { fields.append(("client_secret", secret)) }
        case .basic:
            let pair = FormEncoding.escape(client.id) + ":" + FormEncoding.escape(client.secret ?? "")
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        }
        let endpoint = OAuth2Client.endpoint(url)
        let response: HTTPResponse
        do {
            response = try await http.send(HTTPRequest(method: "POST", url: url, headers: headers, body: FormEncoding.encode(fields), timeout: timeout))
        } catch {
            throw .transient(.network, "\(endpoint): \(error.message)")
        }
        if let failure = Self.protocolError(response, endpoint: endpoint) { throw failure }
        guard response.status == 200 else {
            if response.status == 401 {
                throw .terminal(.server("invalid_client"), "\(endpoint): HTTP 401 invalid_client: the server refused the client's credentials")
            }
            throw .transient(.httpStatus(response.status), "\(endpoint): HTTP \(response.status)", retryAfter: Self.retryAfter(response))
        }
        if let type = response.headers["content-type"], !Self.isTokenAnswerType(type) {
            throw .transient(.malformedResponse, "\(endpoint): HTTP 200 with Content-Type \(SafeText.printable(type, limit: 60)), not a token answer (expected application/json)")
        }
        do {
            return try TokenResponse.parse(response.body)
        } catch {
            throw .transient(.malformedResponse, "\(endpoint): HTTP 200 without a usable token answer: \(error.problem)")
        }
    }

    /// An RFC 6749 §5.2 error body, classified: terminal for the codes retrying cannot fix, transient otherwise.
    static func protocolError(_ response: HTTPResponse, endpoint: String) -> ProviderError? {
        guard let object = JSONValue.parseObject(response.body), let raw = object["error"]?.stringValue,
              let code = SafeText.oauthErrorCode(raw) else { return nil }
        let description = object["error_description"]?.stringValue.map { ": " + SafeText.printable($0, limit: 200) } ?? ""
        return ProviderError(terminalCodes.contains(code) ? .terminal : .transient, code: .server(code),
                             message: "\(endpoint): HTTP \(response.status) \(code)\(description)", retryAfter: retryAfter(response))
    }

    static func retryAfter(_ response: HTTPResponse) -> TimeInterval? {
        response.headers["retry-after"].flatMap { RetryAfter.seconds($0, now: Date()) }
    }

    static func isTokenAnswerType(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/json" || type.hasSuffix("+json") || type == "application/x-www-form-urlencoded"
            || type == "text/plain" || type == "text/javascript" || type.isEmpty
    }
}
