import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension HTTPServer {
    /// A response to write: status, headers and body. `Content-Length`, `Date` and `Connection` are added when
    /// it is written.
    public struct Response: Sendable {
        /// The status code.
        public var status: Int
        /// The header fields (without `Content-Length`, `Date`, `Connection`).
        public var headers: Headers
        /// The body.
        public var body: Data
        /// Close the connection after writing this response, whatever the request asked for.
        public var closeConnection: Bool

        /// A response with `status`, `headers` and `body`.
        public init(status: Int, headers: Headers = [:], body: Data = Data(), closeConnection: Bool = false) {
            self.status = status
            self.headers = headers
            self.body = body
            self.closeConnection = closeConnection
        }

        /// A response with a UTF-8 text body of `contentType`.
        public init(status: Int, contentType: String, text: String, headers: Headers = [:]) {
            var headers = headers
            headers.set("Content-Type", contentType)
            self.init(status: status, headers: headers, body: Data(text.utf8))
        }

        /// A JSON response (`Content-Type: application/json`) of `object`, a tree of dictionaries, arrays, strings,
        /// integers and booleans; keys are sorted and `/` is not escaped.
        public static func json(_ status: Int, _ object: [String: any Sendable], headers: Headers = [:]) -> Response {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
                ?? Data(#"{"error":"server_error"}"#.utf8)
            var headers = headers
            headers.set("Content-Type", "application/json")
            return Response(status: status, headers: headers, body: data)
        }

        /// An HTML page (`text/html; charset=utf-8`).
        public static func html(_ status: Int, _ page: String, headers: Headers = [:]) -> Response {
            Response(status: status, contentType: "text/html; charset=utf-8", text: page, headers: headers)
        }

        /// A `302 Found` to `location`, not cached.
        public static func redirect(to location: String) -> Response {
            Response(status: 302, headers: ["Location": location, "Cache-Control": "no-store"])
        }

        /// The standard reason phrase of `status`.
        public static func reasonPhrase(_ status: Int) -> String {
            switch status {
            case 100: "Continue"
            case 200: "OK"
            case 201: "Created"
            case 204: "No Content"
            case 302: "Found"
            case 304: "Not Modified"
            case 400: "Bad Request"
            case 401: "Unauthorized"
            case 403: "Forbidden"
            case 404: "Not Found"
            case 405: "Method Not Allowed"
            case 408: "Request Timeout"
            case 411: "Length Required"
            case 413: "Content Too Large"
            case 415: "Unsupported Media Type"
            case 417: "Expectation Failed"
            case 429: "Too Many Requests"
            case 431: "Request Header Fields Too Large"
            case 500: "Internal Server Error"
            case 501: "Not Implemented"
            case 502: "Bad Gateway"
            case 503: "Service Unavailable"
            case 504: "Gateway Timeout"
            case 505: "HTTP Version Not Supported"
            default: "Status \(status)"
            }
        }

        /// Whether a response with `status` never has a body (1xx, 204, 304).
        static func forbidsBody(_ status: Int) -> Bool { (100..<200).contains(status) || status == 204 || status == 304 }

        /// The bytes on the wire: status line, headers (plus `Content-Length`, `Date`, `Connection`), and the body
        /// unless `omitBody` (a HEAD request).
        func serialized(keepAlive: Bool, http10: Bool = false, omitBody: Bool = false) -> [UInt8] {
            var head = "HTTP/1.1 \(status) \(Response.reasonPhrase(status))\r\n"
            var headers = self.headers
            headers.remove("Content-Length")
            headers.remove("Transfer-Encoding")
            headers.remove("Connection")
            if !headers.contains("Date") { headers.add("Date", Response.httpDate()) }
            if !Response.forbidsBody(status) { headers.add("Content-Length", String(body.count)) }
            if !keepAlive {
                headers.add("Connection", "close")
            } else if http10 {
                headers.add("Connection", "keep-alive")
            }
            for field in headers { head += "\(field.name): \(field.value)\r\n" }
            head += "\r\n"
            var bytes = Array(head.utf8)
            if !omitBody && !Response.forbidsBody(status) { bytes.append(contentsOf: body) }
            return bytes
        }

        /// The current time as an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7).
        static func httpDate(_ date: Date = Date()) -> String {
            var seconds = time_t(date.timeIntervalSince1970)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
            return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
                + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
        }
    }
}
