import CSystemCalls
import Glibc

/// Random bytes from the kernel in one `getrandom(2)` call (`SystemRandomNumberGenerator` makes one call per
/// 64-bit word).
public enum SecureRandom {
    /// Fills `buffer` with random bytes.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var offset = 0
        while offset < buffer.count {
            let n = credmon_getrandom(buffer.baseAddress! + offset, buffer.count - offset)
            if n > 0 {
                offset += n
            } else if errno != EINTR {
                // No getrandom (a kernel older than 3.17): the standard library's generator reads /dev/urandom.
                var generator = SystemRandomNumberGenerator()
                for index in offset..<buffer.count { buffer[index] = generator.next() }
                return
            }
        }
    }
}
