import Foundation

/// What one browser is doing: the key files it opened (newest first) and, per service, whether it is logged in or
/// waiting for the provider's answer. Kept encrypted in the browser's cookie (``SessionCookieCodec``), so that every
/// credmon-web process and restart shares it; the client secrets stay in the key file.
struct LoginSession: Codable, Sendable, Equatable {
    /// Epoch seconds after which the session is void.
    var expires: Double
    var logins: [KeyLogin]

    /// At most this many key files per browser (a second key URL must not overwrite the first).
    static let maximumLogins = 4

    /// One key file the browser opened.
    struct KeyLogin: Codable, Sendable, Equatable {
        /// The key file name (64 hex).
        var key: String
        var user: String
        var services: [ServiceLogin]

        var allLoggedIn: Bool { services.allSatisfy(\.loggedIn) }
    }

    /// One service of a key file.
    struct ServiceLogin: Codable, Sendable, Equatable {
        /// The token stem (`service` or `service_handle`), also the `/login/<name>` path segment.
        var name: String
        var loggedIn: Bool
        var displayName: String?
        var pending: PendingAuthorization?
    }

    /// An authorization request sent to the provider and not answered yet.
    struct PendingAuthorization: Codable, Sendable, Equatable {
        var state: String
        var codeVerifier: String
        var nonce: String?
        var redirectURI: String
        var started: Double
    }

    /// Adds (or moves to the front) the login of `key`, keeping services already logged in.
    mutating func open(key: String, user: String, services: [String]) {
        let previous = logins.first { $0.key == key }
        logins.removeAll { $0.key == key }
        let entries = services.map { name in
            previous?.services.first { $0.name == name && $0.loggedIn } ?? ServiceLogin(name: name, loggedIn: false)
        }
        logins.insert(KeyLogin(key: key, user: user, services: entries), at: 0)
        if logins.count > Self.maximumLogins { logins.removeLast(logins.count - Self.maximumLogins) }
    }

    /// The newest login that has a service called `name`.
    func locate(service name: String) -> (login: Int, service: Int)? {
        for (loginIndex, login) in logins.enumerated() {
            if let serviceIndex = login.services.firstIndex(where: { $0.name == name }) { return (loginIndex, serviceIndex) }
        }
        return nil
    }

    /// The service whose pending request carries `state` (compared in constant time).
    func locate(state: String) -> (login: Int, service: Int)? {
        var found: (Int, Int)?
        for (loginIndex, login) in logins.enumerated() {
            for (serviceIndex, service) in login.services.enumerated() {
                if let pending = service.pending, RandomText.constantTimeEquals(pending.state, state) { found = (loginIndex, serviceIndex) }
            }
        }
        return found
    }
}
