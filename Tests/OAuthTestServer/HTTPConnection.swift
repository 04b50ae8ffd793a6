import Foundation

/// One accepted connection, served on its own thread: read a request, hand it to the handler, write the
/// answer, and again while the connection is kept alive.
struct HTTPConnection {
    let fd: Int32
    let id: Int
    let signal: StopSignal
    private var buffer: [UInt8] = []

    init(fd: Int32, id: Int, signal: StopSignal) {
        self.fd = fd
        self.id = id
        self.signal = signal
    }

    private enum ReadResult {
        case request(HTTPServer.Request)
        case closed
        case failed(HTTPParseError)
    }

    /// Serves requests until the peer closes, a response closes, or the server stops.
    mutating func run(server: HTTPServer, handler: HTTPServer.Handler) {
        var index = 0
        while !signal.isFired {
            index += 1
            switch readRequest(index: index) {
            case .closed:
                return
            case .failed(let error):
                server.noteRejected()
                let response = HTTPServer.Response.json(error.status, [
                    "error": "invalid_request", "error_description": error.reason,
                ])
                _ = Socket.sendAll(fd, response.serialized(keepAlive: false))
                return
            case .request(let request):
                server.beginRequest()
                let action = handler(request, server.context(connectionID: id, signal: signal))
                switch action {
                case .respond(let response):
                    let keepAlive = request.wantsKeepAlive && !response.closeConnection && !signal.isFired
                    let bytes = response.serialized(keepAlive: keepAlive, http10: request.version == "HTTP/1.0",
                                                    omitBody: request.method == "HEAD")
                    // Counted out before writing, so a client holding the answer never sees it in flight.
                    server.endRequest()
                    let sent = Socket.sendAll(fd, bytes)
                    if !sent || !keepAlive { return }
                case .close:
                    server.endRequest()
                    return
                case .hangThenClose(let duration):
                    _ = signal.pause(for: duration)
                    server.endRequest()
                    return
                case .script(let steps):
                    play(steps)
                    server.endRequest()
                    return
                }
            }
        }
    }

    /// Plays a scripted answer; stops early when the peer goes away or the server stops.
    private func play(_ steps: [WireStep]) {
        for step in steps {
            switch step {
            case .send(let bytes):
                guard Socket.sendAll(fd, bytes) else { return }
            case .sendRepeated(let bytes, let times):
                for _ in 0..<times {
                    guard !signal.isFired, Socket.sendAll(fd, bytes) else { return }
                }
            case .drip(let bytes, let every):
                for byte in bytes {
                    guard signal.pause(for: every), Socket.sendAll(fd, [byte]) else { return }
                }
            case .pause(let duration):
                guard signal.pause(for: duration) else { return }
            case .reset:
                Socket.resetOnClose(fd)
                return
            }
        }
    }

    /// Reads bytes into the buffer; false at end of stream, on error, or when the server stops.
    private mutating func fill() -> Bool {
        guard Socket.waitReadable(fd, wake: signal.readFD, timeoutMilliseconds: -1) == .readable else { return false }
        return Socket.receive(fd, into: &buffer) > 0
    }

    private mutating func readRequest(index: Int) -> ReadResult {
        // The head.
        var headEnd: Int
        while true {
            let empty = HTTPRequestParser.leadingEmptyLines(buffer)
            if empty > 0 { buffer.removeFirst(empty) }
            if let end = HTTPRequestParser.headEnd(in: buffer) {
                headEnd = end
                break
            }
            if buffer.count > HTTPRequestParser.maxHeadBytes {
                return .failed(HTTPParseError(status: 431, reason: "the request head is larger than \(HTTPRequestParser.maxHeadBytes) bytes"))
            }
            guard fill() else { return .closed }
        }
        if headEnd > HTTPRequestParser.maxHeadBytes {
            return .failed(HTTPParseError(status: 431, reason: "the request head is larger than \(HTTPRequestParser.maxHeadBytes) bytes"))
        }
        let head: HTTPRequestHead
        let framing: HTTPBodyFraming
        do {
            head = try HTTPRequestParser.parseHead(buffer[..<headEnd])
            framing = try HTTPRequestParser.framing(of: head)
        } catch {
            return .failed(error)
        }

        // Expect (RFC 9110 §10.1.1): answer 100-continue before reading a body that has not arrived yet;
        // an HTTP/1.0 client's expectation is ignored; any other expectation fails.
        if head.version == "HTTP/1.1", let expect = head.headers["expect"] {
            guard expect.trimmingOWS().lowercased() == "100-continue" else {
                return .failed(HTTPParseError(status: 417, reason: "unsupported expectation: \(expect)"))
            }
            if framing != .none && buffer.count == headEnd {
                guard Socket.sendAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return .closed }
            }
        }

        // The body.
        var body: [UInt8] = []
        var end = headEnd
        switch framing {
        case .none:
            break
        case .length(let length):
            while buffer.count < headEnd + length {
                guard fill() else { return .closed }
            }
            body = Array(buffer[headEnd..<(headEnd + length)])
            end = headEnd + length
        case .chunked:
            while true {
                do {
                    if let decoded = try HTTPRequestParser.decodeChunked(buffer, from: headEnd) {
                        body = decoded.body
                        end = decoded.end
                        break
                    }
                } catch {
                    return .failed(error)
                }
                if buffer.count - headEnd > HTTPRequestParser.maxBodyBytes + 64 * 1024 {
                    return .failed(HTTPParseError(status: 413, reason: "the body is larger than \(HTTPRequestParser.maxBodyBytes) bytes"))
                }
                guard fill() else { return .closed }
            }
        }
        buffer.removeFirst(end)
        return .request(HTTPServer.Request(method: head.method, target: head.target, version: head.version,
                                    headers: head.headers, body: Data(body), connectionID: id, indexOnConnection: index))
    }
}
