import FoundationEssentials

/// How the client authenticates at the token and revocation endpoints (RFC 6749 §2.3.1).
public enum ClientAuthentication: String, Sendable, CaseIterable {
    /// `client_id` and `client_secret` in the form body: what HTCondor's `.meta` implies (the default).
    case post
    /// HTTP Basic with the form-encoded id and secret.
    case basic
}

/// An OAuth client's identity. The secret never appears in a description.
public struct ClientCredentials: Sendable, Equatable, CustomStringConvertible {
    public var id: String
    public var secret: String?
    public var authentication: ClientAuthentication

    public init(id: String, secret: String?, authentication: ClientAuthentication = .post) {
        self.id = id
        self.secret = secret
        self.authentication = authentication
    }

    public var description: String {
        "client \(id) (\(authentication.rawValue)\(secret == nil ? ", public" : ", secret <redacted>"))"
    }

    /// Adds the client authentication to a request's form fields and headers.
    func authenticate(fields: inout [(String, String)], headers: inout [(name: String, value: String)]) {
        switch authentication {
        case .post:
            fields.append(("client_id", id))
            if let secret { fields.append(("client_secret", secret)) }
        case .basic:
            let pair = FormEncoding.escape(id) + ":" + FormEncoding.escape(secret ?? "")
            headers.append(("Authorization", "Basic " + Data(pair.utf8).base64EncodedString()))
        }
    }
}
