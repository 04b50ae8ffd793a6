import Hummingbird
import HummingbirdCore
import NIOCore

/// What one request may carry and how long a connection may stay idle. ``RequestLimitsMiddleware`` answers a page
/// beyond the header, target and body limits; the HTTP decoder itself closes the connection (400) beyond twice the
/// header limits, so nothing unbounded is ever held in memory.
public struct RequestLimits: Sendable {
    /// The request target (path and query): 8 KiB, else 414.
    public var maximumTargetBytes: Int
    /// All header fields together (names, values, separators): 16 KiB, else 431.
    public var maximumHeaderBytes: Int
    /// The number of header fields: 100, else 431.
    public var maximumHeaderCount: Int
    /// A request body: 4 KiB, else 413 (the only body this app reads is the Login form, a few dozen bytes).
    public var maximumBodyBytes: Int
    /// A connection on which no request part arrives and no answer is pending for this long is closed: 30 s
    /// (a slow or silent client holds a connection no longer than this).
    public var idleTimeout: Duration

    public init(maximumTargetBytes: Int = 8 * 1024, maximumHeaderBytes: Int = 16 * 1024, maximumHeaderCount: Int = 100,
                maximumBodyBytes: Int = 4 * 1024, idleTimeout: Duration = .seconds(30)) {
        self.maximumTargetBytes = maximumTargetBytes
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumHeaderCount = maximumHeaderCount
        self.maximumBodyBytes = maximumBodyBytes
        self.idleTimeout = idleTimeout
    }

    /// The HTTP/1.1 server: the idle timeout, and the decoder's own bounds (twice the page limits).
    var serverConfiguration: HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(
            idleTimeout: TimeAmount(idleTimeout),
            httpDecoderConfiguration: .init(maxHeaderFieldSize: 2 * maximumHeaderBytes, maxHeaderListSize: 2 * maximumHeaderBytes,
                                            maxHeaderFieldCount: 2 * maximumHeaderCount))
    }

    /// The size of the header fields as they came on the wire (`name: value\r\n`).
    static func headerBytes(_ fields: HTTPFields) -> Int {
        fields.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
    }
}

/// Refuses, with a page, a request whose target, headers or body exceed ``RequestLimits``; a request that may carry a
/// body (anything but GET and HEAD) has it read here, up to the limit, before any route sees it.
struct RequestLimitsMiddleware<Context: RequestContext>: RouterMiddleware {
    let limits: RequestLimits
    let pages: Pages

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if (request.head.path?.utf8.count ?? 0) > limits.maximumTargetBytes {
            return refuse(.tooLarge("address", status: .uriTooLong), context)
        }
        if request.headers.count > limits.maximumHeaderCount || RequestLimits.headerBytes(request.headers) > limits.maximumHeaderBytes {
            return refuse(.tooLarge("headers", status: .requestHeaderFieldsTooLarge), context)
        }
        if let length = request.headers[.contentLength], Int(length).map({ $0 > limits.maximumBodyBytes }) ?? true {
            return refuse(.tooLarge("body", status: .contentTooLarge), context)
        }
        var request = request
        if request.method != .get && request.method != .head {
            do {
                _ = try await request.collectBody(upTo: limits.maximumBodyBytes)
            } catch {
                return refuse(.tooLarge("body", status: .contentTooLarge), context)
            }
        }
        return try await next(request, context)
    }

    /// The access log records the refusal with its status.
    private func refuse(_ problem: WebProblem, _ context: Context) -> Response {
        Routes.page(pages.problem(problem), status: problem.status)
    }
}
