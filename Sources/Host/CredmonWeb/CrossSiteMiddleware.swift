import HTTPTypes
import Hummingbird
import Logging

/// Refuses what a browser marks `Sec-Fetch-Site: cross-site` (Fetch Metadata) when it could start a login or change
/// state: `/key/…` and `/login/…` whatever the method, and every method but GET, HEAD and OPTIONS elsewhere.
/// `/return/…` is left alone: the provider sends the browser back there from its own site, and `state` protects it.
/// A request without the header (an older browser, curl) passes: the Login form's token still guards it.
struct CrossSiteMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The app's path prefix ("" or "/x").
    let prefix: String
    let pages: Pages
    let logger: Logger

    static var fetchSite: HTTPField.Name { HTTPField.Name("Sec-Fetch-Site")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[Self.fetchSite]?.lowercased() == "cross-site", guards(request) else {
            return try await next(request, context)
        }
        logger.notice("Cross-site request refused", metadata: [
            "http.method": "\(request.method.rawValue)", "http.path": "\(AccessLogMiddleware<Context>.loggablePath(request.uri.path))",
        ])
        let problem = WebProblem.crossSite()
        return Routes.page(pages.problem(problem), status: problem.status)
    }

    /// Whether the request starts a login or may change state.
    func guards(_ request: Request) -> Bool {
        let path = request.uri.path
        guard path.hasPrefix(prefix + "/") else { return false }
        let route = path.dropFirst(prefix.count)
        if route.hasPrefix("/return/") { return false }
        if route.hasPrefix("/key/") || route.hasPrefix("/login/") { return true }
        return ![.get, .head, .options].contains(request.method)
    }
}
