/// Why a request could not be read: the status to answer with (the connection is closed after it).
struct HTTPParseError: Error, Sendable {
    let status: Int
    let reason: String
}

/// The request line and header fields of a request.
struct HTTPRequestHead: Sendable {
    var method: String
    var target: String
    var version: String
    var headers: HTTPServer.Headers
}

/// How a request body is delimited (RFC 9112 §6.3).
enum HTTPBodyFraming: Equatable, Sendable {
    case none
    case length(Int)
    case chunked
}

/// Pure functions that turn received bytes into requests (RFC 9112). Nothing here does I/O, so malformed
/// input can only produce an `HTTPParseError`, never a crash.
enum HTTPRequestParser {
    /// The largest request head (request line and headers) accepted: 64 KiB.
    static let maxHeadBytes = 64 * 1024
    /// The largest request body accepted: 1 MiB.
    static let maxBodyBytes = 1 << 20

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    /// The number of empty lines (CRLF or LF) before the request line, which RFC 9112 §2.2 says to ignore.
    static func leadingEmptyLines(_ buffer: [UInt8]) -> Int {
        var index = 0
        while index < buffer.count {
            if buffer[index] == lf {
                index += 1
            } else if buffer[index] == cr, index + 1 < buffer.count, buffer[index + 1] == lf {
                index += 2
            } else {
                break
            }
        }
        return index
    }

    /// The index just past the blank line that ends the head starting at `start`, or nil if not received yet
    /// (CRLF CRLF; bare LFs are tolerated too).
    static func headEnd(in buffer: [UInt8], from start: Int = 0) -> Int? {
        var index = start
        while index + 1 < buffer.count {
            if buffer[index] == lf {
                if buffer[index + 1] == lf { return index + 2 }
                if buffer[index + 1] == cr, index + 2 < buffer.count, buffer[index + 2] == lf { return index + 3 }
            }
            index += 1
        }
        return nil
    }

    /// Parses a head (without the final blank line's CRLF pair, or with it: empty lines at the end are ignored).
    static func parseHead(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequestHead {
        var lines = split(lines: bytes)
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let requestLine = lines.first else { throw HTTPParseError(status: 400, reason: "empty request") }

        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw HTTPParseError(status: 400, reason: "malformed request line") }
        guard !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte) else {
            throw HTTPParseError(status: 400, reason: "malformed method")
        }
        guard !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw HTTPParseError(status: 400, reason: "malformed request target")
        }
        let version = String(decoding: parts[2], as: UTF8.self)
        let versionBytes = Array(parts[2])
        guard versionBytes.count == 8, version.hasPrefix("HTTP/"), versionBytes[6] == UInt8(ascii: "."),
              isDigit(versionBytes[5]), isDigit(versionBytes[7]) else {
            throw HTTPParseError(status: 400, reason: "malformed HTTP version")
        }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            throw HTTPParseError(status: 505, reason: "only HTTP/1.0 and HTTP/1.1 are supported")
        }
        let target = String(decoding: parts[1], as: UTF8.self)
        guard target.hasPrefix("/") || target.hasPrefix("http://") || target.hasPrefix("https://") || target == "*" else {
            throw HTTPParseError(status: 400, reason: "unsupported request target form")
        }

        var headers = HTTPServer.Headers()
        for line in lines.dropFirst() {
            guard let first = line.first else { throw HTTPParseError(status: 400, reason: "empty header line") }
            if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                throw HTTPParseError(status: 400, reason: "obsolete header line folding")
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw HTTPParseError(status: 400, reason: "header line without a colon")
            }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else {
                throw HTTPParseError(status: 400, reason: "malformed header name")
            }
            let value = line[(colon + 1)...]
            guard value.allSatisfy({ $0 == UInt8(ascii: "\t") || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw HTTPParseError(status: 400, reason: "control character in a header value")
            }
            headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self).trimmingOWS())
        }
        if version == "HTTP/1.1" && headers.values("host").count != 1 {
            throw HTTPParseError(status: 400, reason: "an HTTP/1.1 request needs exactly one Host header")
        }
        return HTTPRequestHead(method: String(decoding: parts[0], as: UTF8.self), target: target, version: version, headers: headers)
    }

    /// How the body of `head` is delimited; rejects ambiguous or unsupported framing and bodies over the limit.
    static func framing(of head: HTTPRequestHead) throws(HTTPParseError) -> HTTPBodyFraming {
        let transferCodings = head.headers.values("transfer-encoding")
            .flatMap { $0.split(separator: ",") }.map { $0.trimmingOWS().lowercased() }
        let lengths = head.headers.values("content-length")
            .flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { $0.trimmingOWS() }
        if !transferCodings.isEmpty {
            guard lengths.isEmpty else {
                throw HTTPParseError(status: 400, reason: "both Transfer-Encoding and Content-Length")
            }
            guard head.version == "HTTP/1.1" else {
                throw HTTPParseError(status: 400, reason: "Transfer-Encoding in an HTTP/1.0 request")
            }
            guard transferCodings == ["chunked"] else {
                throw HTTPParseError(status: 501, reason: "only the chunked transfer coding is supported")
            }
            return .chunked
        }
        guard let first = lengths.first else { return .none }
        guard lengths.allSatisfy({ $0 == first }), !first.isEmpty, first.utf8.count <= 18,
              first.utf8.allSatisfy(isDigit), let length = Int(first) else {
            throw HTTPParseError(status: 400, reason: "invalid Content-Length")
        }
        guard length <= maxBodyBytes else {
            throw HTTPParseError(status: 413, reason: "the body is larger than \(maxBodyBytes) bytes")
        }
        return length == 0 ? .none : .length(length)
    }

    /// Decodes a chunked body starting at `start`: the body and the index just past it (trailers included),
    /// or nil if more bytes are needed.
    static func decodeChunked(_ buffer: [UInt8], from start: Int) throws(HTTPParseError) -> (body: [UInt8], end: Int)? {
        var body: [UInt8] = []
        var index = start
        while true {
            guard let lineEnd = crlf(in: buffer, from: index) else {
                if buffer.count - index > 4096 { throw HTTPParseError(status: 400, reason: "chunk size line too long") }
                return nil
            }
            let sizeField = buffer[index..<lineEnd].split(separator: UInt8(ascii: ";"), maxSplits: 1,
                                                          omittingEmptySubsequences: false).first ?? []
            let sizeText = String(decoding: sizeField, as: UTF8.self).trimmingOWS()
            guard !sizeText.isEmpty, sizeText.utf8.count <= 8, let size = Int(sizeText, radix: 16), size >= 0,
                  sizeText.utf8.allSatisfy({ hexDigit($0) }) else {
                throw HTTPParseError(status: 400, reason: "malformed chunk size")
            }
            index = lineEnd + 2
            if size == 0 {
                // Trailer fields, then the final empty line.
                while true {
                    guard let trailerEnd = crlf(in: buffer, from: index) else {
                        if buffer.count - index > 4096 { throw HTTPParseError(status: 400, reason: "trailer too long") }
                        return nil
                    }
                    let empty = trailerEnd == index
                    index = trailerEnd + 2
                    if empty { return (body, index) }
                }
            }
            guard body.count + size <= maxBodyBytes else {
                throw HTTPParseError(status: 413, reason: "the body is larger than \(maxBodyBytes) bytes")
            }
            guard buffer.count >= index + size + 2 else { return nil }
            body.append(contentsOf: buffer[index..<(index + size)])
            guard buffer[index + size] == cr, buffer[index + size + 1] == lf else {
                throw HTTPParseError(status: 400, reason: "chunk data not followed by CRLF")
            }
            index += size + 2
        }
    }

    private static func crlf(in buffer: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < buffer.count {
            if buffer[index] == cr && buffer[index + 1] == lf { return index }
            index += 1
        }
        return nil
    }

    /// Splits on CRLF (a bare LF also ends a line, as RFC 9112 §2.2 allows).
    private static func split(lines bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == lf {
                var end = index
                if end > lineStart && bytes[end - 1] == cr { end -= 1 }
                lines.append(bytes[lineStart..<end])
                lineStart = index + 1
            }
            index += 1
        }
        if lineStart < bytes.endIndex { lines.append(bytes[lineStart..<bytes.endIndex]) }
        return lines
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func hexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    /// RFC 9110 §5.6.2 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
