import Foundation

extension HTTPServer {
    /// One complete HTTP/1.x request as the server received it (the body already de-chunked).
    public struct Request: Sendable {
        /// The method, e.g. `GET` (case-sensitive, as sent).
        public var method: String
        /// The request target as sent: `/token?x=1`, or an absolute URL.
        public var target: String
        /// The path of the target, without the query, still percent-encoded (`/token`).
        public var path: String
        /// The raw query string after `?`, or nil if the target had none.
        public var rawQuery: String?
        /// `HTTP/1.1` or `HTTP/1.0`.
        public var version: String
        /// The header fields, in order.
        public var headers: Headers
        /// The body (empty if none).
        public var body: Data
        /// Which accepted connection carried the request (1, 2, …).
        public var connectionID: Int
        /// The position of the request on its connection (1 for the first): above 1 means keep-alive reuse.
        public var indexOnConnection: Int

        /// A request; `path` and `rawQuery` are derived from `target`.
        public init(method: String, target: String, version: String = "HTTP/1.1", headers: Headers = [:],
                    body: Data = Data(), connectionID: Int = 0, indexOnConnection: Int = 1) {
            self.method = method
            self.target = target
            self.version = version
            self.headers = headers
            self.body = body
            self.connectionID = connectionID
            self.indexOnConnection = indexOnConnection
            var pathAndQuery = Substring(target)
            if let schemeEnd = target.range(of: "://") {
                // Absolute form (RFC 9112 §3.2.2): drop the scheme and authority.
                let afterScheme = target[schemeEnd.upperBound...]
                pathAndQuery = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }).map { afterScheme[$0...] } ?? "/"
            }
            if let mark = pathAndQuery.firstIndex(of: "?") {
                path = String(pathAndQuery[..<mark])
                rawQuery = String(pathAndQuery[pathAndQuery.index(after: mark)...])
            } else {
                path = String(pathAndQuery)
                rawQuery = nil
            }
            if path.isEmpty { path = "/" }
        }

        /// The query parsed as `application/x-www-form-urlencoded`.
        public var query: FormBody { FormBody(parsing: rawQuery ?? "") }

        /// The media type of the body (`Content-Type` without parameters, lower-cased), or nil.
        public var mediaType: String? {
            guard let value = headers["content-type"] else { return nil }
            let type = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return type.trimmingOWS().lowercased()
        }

        /// Whether the body is declared `application/x-www-form-urlencoded`.
        public var hasFormBody: Bool { mediaType == "application/x-www-form-urlencoded" }

        /// The body parsed as `application/x-www-form-urlencoded` (whatever its declared type).
        public var form: FormBody { FormBody(parsing: body) }

        /// Whether the connection stays open after this request's response (HTTP/1.1 unless `Connection: close`;
        /// HTTP/1.0 only with `Connection: keep-alive`).
        public var wantsKeepAlive: Bool {
            if headers.listContains("connection", token: "close") { return false }
            if version == "HTTP/1.0" { return headers.listContains("connection", token: "keep-alive") }
            return true
        }
    }
}
