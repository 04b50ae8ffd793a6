import Synchronization

/// A host name looked up once, on first use, and shared by every copy of the ``ProviderBuildContext`` it came with.
final class LazyHostName: Sendable {
    private let resolve: @Sendable () -> String
    private let resolved = Mutex<String?>(nil)

    init(_ resolve: @escaping @Sendable () -> String) { self.resolve = resolve }

    /// The name, looked up now if nothing asked before.
    var value: String {
        resolved.withLock { cached in
            if let cached { return cached }
            let name = resolve()
            cached = name
            return name
        }
    }
}
