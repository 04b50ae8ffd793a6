import Foundation

extension OAuthServer {
    /// Form fields of the login and consent forms, not parameters of the authorization request.
    static let formOnlyFields: Set<String> = ["username", "password", "step", "ticket", "decision"]

    private enum AuthorizationCheck {
        case valid(AuthorizationRequest)
        /// The client or redirect URI cannot be trusted: show an error page, never redirect (§4.1.2.1).
        case errorPage(String)
        /// Redirect to the client with this error response.
        case redirect(HTTPServer.Response)
    }

    /// `GET /authorize` (RFC 6749 §4.1.1): validates the request, then shows the login form.
    /// `prompt=none` is answered with `login_required` (there are no sessions).
    func authorizeGET(_ request: HTTPServer.Request) -> HTTPServer.Response {
        switch checkAuthorizationRequest(request.query) {
        case .errorPage(let message):
            return .html(400, AuthorizationPages.error(message))
        case .redirect(let response):
            return response
        case .valid(let authorization):
            if Scope.split(authorization.parameters["prompt"] ?? "").contains("none") {
                return errorRedirect(authorization, "login_required", "prompt=none: nobody is signed in")
            }
            return .html(200, AuthorizationPages.login(authorization, parameters: request.query, error: nil),
                         headers: ["Cache-Control": "no-store"])
        }
    }

    /// `POST /authorize`: `step=login` (username, password and the request's parameters) shows the consent
    /// page; `step=consent` (ticket, `decision=allow|deny`) redirects to the client with a code or
    /// `access_denied`. A wrong password shows the login form again with status 401.
    func authorizePOST(_ request: HTTPServer.Request) -> HTTPServer.Response {
        guard request.hasFormBody else {
            return .html(400, AuthorizationPages.error("the form must be sent as application/x-www-form-urlencoded"))
        }
        let form = request.form
        switch form["step"] {
        case "login":
            let parameters = FormBody(fields: form.fields.filter { !OAuthServer.formOnlyFields.contains($0.name) })
            switch checkAuthorizationRequest(parameters) {
            case .errorPage(let message):
                return .html(400, AuthorizationPages.error(message))
            case .redirect(let response):
                return response
            case .valid(let authorization):
                let username = form["username"] ?? ""
                guard !username.isEmpty, form["password"] == String(username.reversed()) else {
                    return .html(401, AuthorizationPages.login(authorization, parameters: parameters,
                                                               error: "Wrong username or password."),
                                 headers: ["Cache-Control": "no-store"])
                }
                let ticket = store.withLock { $0.createTicket(authorization, subject: username) }
                return .html(200, AuthorizationPages.consent(authorization, subject: username, ticket: ticket),
                             headers: ["Cache-Control": "no-store"])
            }
        case "consent":
            guard let ticket = form["ticket"], let login = store.withLock({ $0.takeTicket(ticket) }) else {
                return .html(400, AuthorizationPages.error("unknown, used or expired login ticket; start again"))
            }
            switch form["decision"] {
            case "allow":
                let configuration = self.configuration
                let code = store.withLock { $0.createCode(login.request, subject: login.subject, configuration: configuration) }
                var response = [("code", code)]
                if let state = login.request.state { response.append(("state", state)) }
                response.append(("iss", issuer))
                return .redirect(to: OAuthServer.appendQuery(login.request.redirectURI, response))
            case "deny":
                return errorRedirect(login.request, "access_denied", "the user denied the request")
            default:
                return .html(400, AuthorizationPages.error("decision must be allow or deny"))
            }
        default:
            return .html(400, AuthorizationPages.error("unknown step"))
        }
    }

    private func checkAuthorizationRequest(_ parameters: FormBody) -> AuthorizationCheck {
        for name in ["client_id", "redirect_uri"] where parameters.values(name).count > 1 {
            return .errorPage("\(name) is repeated")
        }
        guard let clientID = parameters["client_id"] else { return .errorPage("client_id is missing") }
        guard let client = configuration.clients.first(where: { $0.id == clientID }) else {
            return .errorPage("unknown client \(clientID)")
        }
        let redirectURI: String
        if let given = parameters["redirect_uri"] {
            guard client.redirectURIs.contains(given) else { return .errorPage("redirect_uri \(given) is not registered for \(clientID)") }
            redirectURI = given
        } else {
            guard client.redirectURIs.count == 1 else { return .errorPage("redirect_uri is missing") }
            redirectURI = client.redirectURIs[0]
        }
        var all: [String: String] = [:]
        for field in parameters.fields { all[field.name] = field.value }
        let state = parameters["state"]
        let partial = AuthorizationRequest(clientID: clientID, redirectURI: redirectURI, redirectURIGiven: parameters["redirect_uri"] != nil,
                                           scope: "", state: state, codeChallenge: "", parameters: all)
        func fail(_ error: String, _ description: String) -> AuthorizationCheck {
            .redirect(errorRedirect(partial, error, description))
        }
        if let repeated = parameters.repeatedNames.first { return fail("invalid_request", "\(repeated) is repeated") }
        guard let responseType = parameters["response_type"] else { return fail("invalid_request", "response_type is missing") }
        guard responseType == "code" else { return fail("unsupported_response_type", "only response_type=code is supported") }
        guard let challenge = parameters["code_challenge"] else { return fail("invalid_request", "code_challenge is missing (PKCE is required)") }
        guard parameters["code_challenge_method"] == "S256" else {
            return fail("invalid_request", "code_challenge_method must be S256")
        }
        guard PKCE.isWellFormed(challenge) else { return fail("invalid_request", "code_challenge is malformed") }
        let scope = Scope.split(parameters["scope"] ?? "")
        if let allowed = client.allowedScopes, let bad = scope.first(where: { !allowed.contains($0) }) {
            return fail("invalid_scope", "scope \(bad) is not allowed for \(clientID)")
        }
        var request = partial
        request.scope = Scope.join(scope)
        request.codeChallenge = challenge
        return .valid(request)
    }

    private func errorRedirect(_ request: AuthorizationRequest, _ error: String, _ description: String) -> HTTPServer.Response {
        var response = [("error", error), ("error_description", description)]
        if let state = request.state { response.append(("state", state)) }
        response.append(("iss", issuer))
        return .redirect(to: OAuthServer.appendQuery(request.redirectURI, response))
    }

    /// `uri` with `parameters` added to its query (form-urlencoded). A fragment, which a redirect URI must
    /// not have (RFC 6749 §3.1.2), is dropped.
    static func appendQuery(_ uri: String, _ parameters: [(String, String)]) -> String {
        let base = uri.firstIndex(of: "#").map { String(uri[..<$0]) } ?? uri
        let query = FormBody(fields: parameters.map { FormBody.Field(name: $0.0, value: $0.1) }).encoded
        let separator = !base.contains("?") ? "?" : (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&")
        return base + separator + query
    }
}
