/// Random bytes for identifiers that are published anyway (a token's `jti`), drawn from a pool the kernel refills
/// 4 KiB at a time: one `getrandom(2)` per 256 identifiers instead of one each. Not for secrets (keys, session
/// secrets, PKCE verifiers): those take ``SecureRandom`` directly. Bytes handed out are wiped from the pool.
public final class RandomPool: @unchecked Sendable {
    /// The process's pool.
    public static let shared = RandomPool()

    private let lock = PosixLock()
    private var pool: [UInt8]
    private var next: Int

    /// A pool of `capacity` bytes, filled on its first draw.
    public init(capacity: Int = 4096) {
        precondition(capacity > 0)
        pool = [UInt8](repeating: 0, count: capacity)
        next = capacity
    }

    /// Fills `buffer` (at most the pool's capacity) with random bytes.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count <= pool.count, "a draw larger than the pool")
        guard buffer.count > 0 else { return }
        lock.withLock {
            pool.withUnsafeMutableBytes { bytes in
                if next + buffer.count > bytes.count {
                    SecureRandom.fill(bytes)
                    next = 0
                }
                let drawn = UnsafeMutableRawBufferPointer(rebasing: bytes[next..<(next + buffer.count)])
                buffer.copyMemory(from: UnsafeRawBufferPointer(drawn))
                drawn.initializeMemory(as: UInt8.self, repeating: 0)
                next += buffer.count
            }
        }
    }
}
