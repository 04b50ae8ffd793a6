import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Security headers on every answer: a strict CSP (only this app's stylesheet; forms to this app and to providers), no framing, no MIME sniffing, no
/// referrer (the return URL carries the authorization code), and `no-store` on every HTML page (they carry user data).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Where a form may go, redirects included (browsers check the Login form's redirect to the provider): this app,
    /// and the authorization URLs a login accepts (https, or http on loopback as ``LoginSettings`` allows).
    static var formAction: String { "'self' https: http://127.0.0.1:* http://localhost:* http://[::1]:*" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action \(Self.formAction); frame-ancestors 'none'; base-uri 'none'"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if response.headers[.contentType]?.hasPrefix("text/html") ?? true {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

/// One structured log line per request: method, path (query dropped: it carries codes and state; key URLs
/// shortened: the key is a capability), status and duration. Unknown routes become the not-found page.
struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let pages: Pages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            let problem = error.status == .notFound ? WebProblem.notFound()
                : WebProblem(status: error.status, title: "Request not accepted", message: "The request could not be handled.", advice: "Go back and try again.")
            response = Routes.page(pages.problem(problem), status: problem.status)
        } catch {
            logger.error("Unexpected failure", metadata: ["http.path": "\(Self.loggablePath(request.uri.path))", "error": "\(type(of: error))"])
            response = Routes.page(pages.problem(WebProblem(status: .internalServerError, title: "Something went wrong",
                                                            message: "The request failed unexpectedly.", advice: "Try again; tell your administrator if it persists.")),
                                   status: .internalServerError)
        }
        let elapsed = ContinuousClock.now - start
        logger.info("Request", metadata: [
            "http.method": "\(request.method.rawValue)", "http.path": "\(Self.loggablePath(request.uri.path))",
            "http.status": "\(response.status.code)",
            "http.duration_ms": "\(Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000))",
        ])
        return response
    }

    /// The path with a key file name cut to its first 8 characters.
    static func loggablePath(_ path: String) -> String {
        guard let range = path.range(of: "/key/") else { return String(path.prefix(200)) }
        let key = path[range.upperBound...]
        return path[..<range.upperBound] + key.prefix(8) + (key.count > 8 ? "…" : "")
    }
}
