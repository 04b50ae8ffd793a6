import Foundation
import OAuthTestServer
import Synchronization

/// The "other host" of the redirect rows: a server on 127.0.0.2 that answers any request with a usable token answer,
/// so a client that follows a redirect visibly renews from it. Counts what reached it.
final class RedirectTarget: Sendable {
    private let server: HTTPServer
    private final class Counter: Sendable { let value = Atomic<Int>(0) }
    private let counter = Counter()

    init() throws {
        server = try HTTPServer(host: "127.0.0.2", port: 0)
        server.start { [counter] _, _ in
            counter.value.add(1, ordering: .relaxed)
            return .respond(.json(200, ["access_token": "at-stolen-\(HostileAnswer.secretMarker)", "token_type": "Bearer",
                                        "expires_in": 3600, "refresh_token": "rt-stolen-\(HostileAnswer.secretMarker)"]))
        }
    }

    /// The token URL a redirect points at.
    var tokenURL: String { server.baseURL.absoluteString + "/token" }

    /// Requests that reached it.
    var requests: Int { counter.value.load(ordering: .relaxed) }

    func stop() { server.stop() }
}
