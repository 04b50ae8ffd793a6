import Foundation

extension OAuthServer {
    /// A request the OAuth server received, as the request log keeps it (secrets included, for assertions).
    public struct LoggedRequest: Sendable {
        /// 1 for the first request the server received, and so on.
        public let sequence: Int
        /// The method.
        public let method: String
        /// The path, without the query (`/token`).
        public let path: String
        /// The query parameters.
        public let query: FormBody
        /// The form body's fields when the body was `application/x-www-form-urlencoded`, else empty.
        public let form: FormBody
        /// The raw body.
        public let body: Data
        /// Every header field.
        public let headers: HTTPServer.Headers
        /// Whether an `Authorization` header was sent.
        public let authorizationHeaderPresent: Bool
        /// How the client authenticated, when it did so successfully (token, revocation, introspection).
        public let clientAuthentication: OAuthServer.AuthMethod?
        /// The status sent, or nil when nothing was sent (a `timeout`, `closeConnection` or
        /// `closeAfterProcessing` fault).
        public let status: Int?
        /// The `error` code of an OAuth error response (`invalid_grant`, …), or nil.
        public let error: String?
        /// The injected fault that hit the request, or nil.
        public let fault: OAuthServer.Fault?
        /// The hostile row (``HostileAnswer/id``) played instead of an answer, or nil.
        public internal(set) var hostile: String? = nil
        /// When the request was fully received (wall clock).
        public let receivedAt: Date
        /// The connection that carried it (1, 2, …).
        public let connectionID: Int
        /// Its position on that connection (above 1: the connection was reused).
        public let indexOnConnection: Int

        /// The form fields as a dictionary (the last of a repeated name wins).
        public var formFields: [String: String] { form.dictionary }
    }
}
