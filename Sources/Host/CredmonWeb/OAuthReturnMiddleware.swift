import HTTPTypes
import Hummingbird

/// Sends a provider's answer arriving at a login's own `ReturnUrl` path (`/`, `/oauth/callback`, …, whatever
/// `CREDMON_WEB_PREFIX` + `<SERVICE>_RETURN_URL_SUFFIX` made it) to ``Routes/finish(_:route:named:)``: a GET carrying
/// `state` and `code` or `error`, whose `state` is one this browser's session waits for at exactly that path.
/// Everything else goes to its usual route (without `state`, `/` is the index). `/return/…` is the route's own; an
/// answer with an unknown `state` at a path no route serves gets the state-mismatch page rather than "not found".
struct OAuthReturnMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: Routes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let prefix = routes.app.configuration.prefix
        guard request.method == .get, Self.looksLikeAnswer(request),
              let route = ReturnAddress.route(ofPath: request.uri.path, prefix: prefix), !route.hasPrefix("/return/") else {
            return try await next(request, context)
        }
        if routes.awaitsAnswer(request, at: route) {
            return await routes.respondAsync { () async throws(WebProblem) in try await routes.finish(request, route: route, named: nil) }
        }
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .notFound {
            routes.app.logger.notice("Login answer refused: no login of this browser waits for it here")
            let problem = WebProblem.stateMismatch()
            return Routes.page(routes.pages.problem(problem), status: problem.status)
        }
    }

    /// `state` with `code` or `error`: the shape of an authorization response (RFC 6749 §4.1.2).
    static func looksLikeAnswer(_ request: Request) -> Bool {
        let query = request.uri.queryParameters
        return query["state"] != nil && (query["code"] != nil || query["error"] != nil)
    }
}

extension Routes {
    /// Whether this browser's session has a login waiting for `state` whose redirect URI names `route`.
    func awaitsAnswer(_ request: Request, at route: String) -> Bool {
        guard let state = request.uri.queryParameters.get("state"), let session = session(of: request),
              let (login, service) = session.locate(state: state),
              let pending = session.logins[login].services[service].pending else { return false }
        return ReturnAddress.route(ofRedirectURI: pending.redirectURI, prefix: app.configuration.prefix) == route
    }
}
