import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A refresh sent over a raw socket, and everything the server did in answer: the bytes with their arrival times,
/// and how the connection ended. For hostile answers no HTTP client would report faithfully.
struct RawRefresh {
    enum End: Equatable { case closed, reset, stillOpen }

    var bytes: [UInt8] = []
    /// Seconds after the request was sent, and how many bytes arrived then.
    var arrivals: [(at: Double, count: Int)] = []
    var end = End.stillOpen

    /// Sends a `client_secret_post` refresh of `refreshToken` to `port` and reads for at most `readFor`.
    static func send(port: Int, refreshToken: String, readFor: Duration) async -> RawRefresh {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: sendBlocking(port: port, refreshToken: refreshToken, readFor: readFor)) }.start()
        }
    }

    private static func sendBlocking(port: Int, refreshToken: String, readFor: Duration) -> RawRefresh {
        var result = RawRefresh()
        let fd = RawHTTP.connect(port: port)
        guard fd >= 0 else { return result }
        defer { close(fd) }
        let form = "grant_type=refresh_token&refresh_token=\(refreshToken)&client_id=credmon-test&client_secret=credmon-test-secret"
        let request = Array(("POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                             + "Content-Length: \(form.utf8.count)\r\nConnection: close\r\n\r\n" + form).utf8)
        _ = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, request.count, Int32(MSG_NOSIGNAL)) }
        let start = ContinuousClock.now
        let deadline = start + readFor
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while ContinuousClock.now < deadline {
            var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = ContinuousClock.now.duration(to: deadline)
            guard poll(&pollFD, 1, Int32(max(1, RawHTTP.seconds(left) * 1000))) > 0 else { break }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 1 << 16, 0) }
            if count < 0 {
                if errno == EINTR { continue }
                result.end = errno == ECONNRESET ? .reset : .closed
                break
            }
            if count == 0 {
                result.end = .closed
                break
            }
            result.bytes.append(contentsOf: buffer[0..<count])
            result.arrivals.append((RawHTTP.seconds(start.duration(to: .now)), count))
        }
        return result
    }

    /// The final response: status, headers (lower-cased names) and body, skipping `1xx` heads; nil before a whole head.
    var response: (status: Int, headers: [String: String], body: [UInt8])? {
        var rest = bytes[...]
        while let end = rest.firstRange(of: Array("\r\n\r\n".utf8)) {
            let head = String(decoding: rest[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
            rest = rest[end.upperBound...]
            guard let statusLine = head.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else { return nil }
            if (100..<200).contains(status) { continue }
            var headers: [String: String] = [:]
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            var body = Array(rest)
            if headers["transfer-encoding"] == "chunked" { body = Self.dechunk(body) }
            return (status, headers, body)
        }
        return nil
    }

    /// The statuses of every head received (interim ones included).
    var statuses: [Int] { String(decoding: bytes, as: UTF8.self).statusCodes }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while let lineEnd = bytes[index...].firstRange(of: Array("\r\n".utf8)) {
            guard let size = Int(String(decoding: bytes[index..<lineEnd.lowerBound], as: UTF8.self), radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            guard start + size <= bytes.count else { break }
            out += bytes[start..<(start + size)]
            index = start + size + 2
            guard index <= bytes.count else { break }
        }
        return out
    }
}
