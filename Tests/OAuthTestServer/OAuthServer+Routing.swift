import Foundation

/// What an endpoint learned while answering, for the request log.
struct ExchangeNotes {
    var clientAuthentication: OAuthServer.AuthMethod?
}

extension OAuthServer {
    /// Every request: latency, then a pending fault or the endpoint, then the log entry (written before the
    /// response goes out, so a client that got its answer finds the entry).
    func handle(_ request: HTTPServer.Request, context: HTTPServer.Context) -> HTTPServer.Action {
        let receivedAt = Date()
        let latency = configuration.latency
        if latency > .zero, !context.pause(for: latency) { return .close }
        var notes = ExchangeNotes()
        let hostileRow = hostileAnswer(for: request)
        let fault = hostileRow == nil ? faults.withLock { $0.take(path: request.path) } : nil

        func record(_ response: HTTPServer.Response?, hostile: String? = nil) {
            var error: String?
            if let response, response.status >= 400,
               let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
                error = object["error"] as? String
            }
            let entry = { (sequence: Int) in
                LoggedRequest(sequence: sequence, method: request.method, path: request.path, query: request.query,
                              form: request.hasFormBody ? request.form : FormBody(), body: request.body, headers: request.headers,
                              authorizationHeaderPresent: request.headers.contains("authorization"),
                              clientAuthentication: notes.clientAuthentication, status: response?.status, error: error,
                              fault: fault, hostile: hostile, receivedAt: receivedAt, connectionID: request.connectionID,
                              indexOnConnection: request.indexOnConnection)
            }
            log.withLock { $0.append(entry($0.count + 1)) }
        }

        if let hostileRow {
            return playHostile(hostileRow, request) { response, row in record(response, hostile: row) }
        }
        switch fault {
        case .status(let status, let body)?:
            let type = body.hasPrefix("{") ? "application/json" : "text/plain; charset=utf-8"
            let response = HTTPServer.Response(status: status, contentType: type, text: body, headers: ["Cache-Control": "no-store"])
            record(response)
            return .respond(response)
        case .tooManyRequests(let retryAfter)?:
            let response = HTTPServer.Response.json(429, ["error": "temporarily_unavailable", "error_description": "rate limited (injected)"],
                                             headers: ["Retry-After": String(retryAfter), "Cache-Control": "no-store"])
            record(response)
            return .respond(response)
        case .malformedJSON?:
            let response = HTTPServer.Response(status: 200, contentType: "application/json",
                                        text: #"{"access_token": "at-truncated", "token_type": "Bearer", "expires_in": 36"#,
                                        headers: ["Cache-Control": "no-store"])
            record(response)
            return .respond(response)
        case .timeout(let duration)?:
            record(nil)
            return .hangThenClose(duration)
        case .closeConnection?:
            record(nil)
            return .close
        case .delay(let duration)?:
            if !context.pause(for: duration) { return .close }
            let response = route(request, notes: &notes)
            record(response)
            return .respond(response)
        case .closeAfterProcessing?:
            _ = route(request, notes: &notes)
            record(nil)
            return .close
        case nil:
            let response = route(request, notes: &notes)
            record(response)
            return .respond(response)
        }
    }

    /// Dispatches on path and method.
    func route(_ request: HTTPServer.Request, notes: inout ExchangeNotes) -> HTTPServer.Response {
        let method = request.method
        switch request.path {
        case "/.well-known/oauth-authorization-server", "/.well-known/openid-configuration":
            guard method == "GET" || method == "HEAD" else { return methodNotAllowed("GET, HEAD") }
            return metadataResponse(openID: request.path.hasSuffix("openid-configuration"))
        case "/jwks":
            guard method == "GET" || method == "HEAD" else { return methodNotAllowed("GET, HEAD") }
            return .json(200, ["keys": [String]()])
        case "/authorize":
            switch method {
            case "GET", "HEAD": return authorizeGET(request)
            case "POST": return authorizePOST(request)
            default: return methodNotAllowed("GET, HEAD, POST")
            }
        case "/token":
            guard method == "POST" else { return methodNotAllowed("POST") }
            return tokenEndpoint(request, notes: &notes)
        case "/revoke":
            guard method == "POST" else { return methodNotAllowed("POST") }
            return revocationEndpoint(request, notes: &notes)
        case "/introspect":
            guard method == "POST" else { return methodNotAllowed("POST") }
            return introspectionEndpoint(request, notes: &notes)
        case "/userinfo":
            guard method == "GET" || method == "POST" else { return methodNotAllowed("GET, POST") }
            return userinfoEndpoint(request)
        default:
            if request.path.hasPrefix("/v1/") { return vaultEndpoint(request) }
            return .json(404, ["error": "not_found", "error_description": "no endpoint at \(request.path)"])
        }
    }

    private func methodNotAllowed(_ allowed: String) -> HTTPServer.Response {
        .json(405, ["error": "invalid_request", "error_description": "method not allowed; use \(allowed)"], headers: ["Allow": allowed])
    }

    /// The form of a POST to an OAuth endpoint: `application/x-www-form-urlencoded`, no parameter repeated except
    /// those in `repeatable` (RFC 8693's `audience` and `resource`).
    func oauthForm(_ request: HTTPServer.Request, repeatable: Set<String> = []) throws(OAuthError) -> FormBody {
        guard request.hasFormBody else {
            throw .invalidRequest("the body must be application/x-www-form-urlencoded (got \(request.mediaType ?? "no Content-Type"))")
        }
        let form = request.form
        if let repeated = form.repeatedNames.first(where: { !repeatable.contains($0) }) {
            throw .invalidRequest("parameter \(repeated) is repeated")
        }
        return form
    }
}
