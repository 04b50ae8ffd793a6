#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed system call, or a file refused for what it is: which operation, on which path, `errno` (0 for a
/// refusal that is not a system call's failure) and, where there is one, what to do about it.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32
    /// What the administrator should do, e.g. "replace it with a regular file".
    public let advice: String?

    public init(_ operation: String, path: String, errno: Int32 = Glibc.errno, advice: String? = nil) {
        self.operation = operation
        self.path = path
        self.errno = errno
        self.advice = advice
    }

    /// What went wrong, without the path.
    public var reason: String {
        let base = errno == 0 ? operation : "\(operation) failed: \(String(cString: strerror(errno)))"
        return advice.map { base + "; " + $0 } ?? base
    }

    public var description: String { "\(path): \(reason)" }
}
