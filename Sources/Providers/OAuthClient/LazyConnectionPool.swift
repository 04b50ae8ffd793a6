import AsyncHTTPClient
import NIOConcurrencyHelpers

/// An AsyncHTTPClient made on first use, once: until a request is sent, no event-loop thread runs and no connection
/// pool exists.
final class LazyConnectionPool: Sendable {
    private let make: @Sendable () -> AsyncHTTPClient.HTTPClient
    private let made = NIOLockedValueBox<AsyncHTTPClient.HTTPClient?>(nil)

    init(_ make: @escaping @Sendable () -> AsyncHTTPClient.HTTPClient) { self.make = make }

    /// The client, made now if no request came before.
    var client: AsyncHTTPClient.HTTPClient {
        made.withLockedValue { existing in
            if let existing { return existing }
            let created = make()
            existing = created
            return created
        }
    }

    /// The client if one was made; nil when none was ever needed (nothing to shut down).
    var madeClient: AsyncHTTPClient.HTTPClient? { made.withLockedValue { $0 } }
}
