import Foundation

/// What one browser is doing: the key files it opened (newest first) and, per service, whether it is logged in or
/// waiting for the provider's answer. Kept encrypted in the browser's cookie (``SessionCookieCodec``), so that every
/// credmon-web process and restart shares it; the client secrets stay in the key file.
struct LoginSession: Codable, Sendable, Equatable {
    /// Epoch seconds after which the session is void.
    var expires: Double
    /// The session's CSRF token: every form of this app carries it, and a login starts only with it.
    var csrf: String
    var logins: [KeyLogin]

    /// At most this many key files per browser (a second key URL must not overwrite the first).
    static let maximumLogins = 4

    /// A new, empty session with its own CSRF token.
    static func fresh() -> LoginSession {
        LoginSession(expires: 0, csrf: RandomText.token(), logins: [])
    }

    /// One key file the browser opened.
    struct KeyLogin: Codable, Sendable, Equatable {
        /// Names this login in the page's forms (random; the key is a capability and never goes into a page).
        var id: String
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
        /// Epoch seconds when the browser was sent to the provider.
        var started: Double
        /// The provider's issuer when it is known (a fragment's `issuer`): RFC 9207's `iss` must equal it.
        var issuer: String?
        /// Whether the answer must carry `iss` (the issuer's metadata promises it; RFC 9207 §2.4).
        var issuerRequired: Bool?
        /// The key file's `Provider` (the service without its handle): `/return/<it>` is this login's return route too.
        var service: String?

        /// An answer later than this after the start is refused (the user has to press Login again).
        static let lifetime: TimeInterval = 600

        func isExpired(now: Date) -> Bool { now.timeIntervalSince1970 - started > Self.lifetime }
    }

    /// Adds (or moves to the front) the login of `key`, keeping services already logged in.
    mutating func open(key: String, user: String, services: [String]) {
        let previous = logins.first { $0.key == key && $0.user == user }
        logins.removeAll { $0.key == key }
        let entries = services.map { name in
            previous?.services.first { $0.name == name && $0.loggedIn } ?? ServiceLogin(name: name, loggedIn: false)
        }
        logins.insert(KeyLogin(id: previous?.id ?? RandomText.token(bytes: 9), key: key, user: user, services: entries), at: 0)
        if logins.count > Self.maximumLogins { logins.removeLast(logins.count - Self.maximumLogins) }
    }

    /// The service `name` of the login `id` (the one the page's form names).
    func locate(login id: String, service name: String) -> (login: Int, service: Int)? {
        guard let loginIndex = logins.firstIndex(where: { RandomText.constantTimeEquals($0.id, id) }),
              let serviceIndex = logins[loginIndex].services.firstIndex(where: { $0.name == name }) else { return nil }
        return (loginIndex, serviceIndex)
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
