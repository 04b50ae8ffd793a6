import CredmonWeb
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Issue 9, item 6: header and body sizes are bounded and idle connections time out.
@Suite("Request limits and the idle timeout")
struct RequestLimitsTests {
    @Test("oversize headers (431), target (414) and bodies (413) are refused with a page; requests within the limits pass")
    func oversize() async throws {
        let fixture = try WebFixture()
        let limits = fixture.app.configuration.limits
        #expect(limits.maximumHeaderBytes == 16 * 1024 && limits.maximumHeaderCount == 100 && limits.maximumBodyBytes == 4 * 1024
                && limits.maximumTargetBytes == 8 * 1024 && limits.idleTimeout == .seconds(30))
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let big = HTTPField.Name("X-Big")!
            #expect(try await client.get("/", headers: [big: String(repeating: "a", count: 15 * 1024)]).status == .ok)
            let headers = try await client.get("/", headers: [big: String(repeating: "a", count: 17 * 1024)])
            #expect(headers.status == .requestHeaderFieldsTooLarge && headers.body.contains("headers is larger than this site accepts"))
            var many = HTTPFields()
            for index in 0..<120 { many.append(HTTPField(name: HTTPField.Name("X-H\(index)")!, value: "v")) }
            #expect(try await client.get("/", headers: many).status == .requestHeaderFieldsTooLarge)
            #expect(try await client.get("/?q=" + String(repeating: "b", count: 9 * 1024)).status == .uriTooLong)

            let start = try await client.get("/key/\(key)")
            let cookie = try start.sessionCookie()
            let form = try #require(LoginForm(start, service: "issuer"))
            let padding = ("pad", String(repeating: "c", count: 5 * 1024))
            // Declared too large, and too large without a declared length (the body is read up to the limit).
            let declared = try await client.post(form.action, form: [("csrf", form.csrf), ("login", form.login), padding], cookie: cookie,
                                                 headers: [.contentLength: "\(5 * 1024 + 200)"])
            #expect(declared.status == .contentTooLarge && declared.location == nil, "\(declared.body)")
            let streamed = try await client.post(form.action, form: [("csrf", form.csrf), ("login", form.login), padding], cookie: cookie)
            #expect(streamed.status == .contentTooLarge && streamed.location == nil, "\(streamed.body)")
            #expect(try await client.post(form.action, form: [("csrf", form.csrf), ("login", form.login)], cookie: cookie).status == .seeOther)
        }
        #expect(fixture.logs.text.contains("http.status=431") && fixture.logs.text.contains("http.status=413"))
        #expect(fixture.logs.text.components(separatedBy: "Login started").count - 1 == 1)
    }

    @Test("the real server: a silent connection is closed after the idle timeout; oversize headers get 431, far larger ones 400")
    func liveServer() async throws {
        let fixture = try WebFixture(limits: RequestLimits(idleTimeout: .seconds(1)))
        try await fixture.testLive { client in
            let port = try #require(client.port)
            #expect(try await client.get("/").status == .ok)

            // A connection that sends nothing (or half a request head) is closed by the server.
            for opening in ["", "GET / HTTP/1.1\r\nHost: x\r\n"] {
                let socket = try RawConnection(port: port)
                try socket.send(opening)
                let started = ContinuousClock.now
                let answer = try socket.readUntilClosed(deadline: .seconds(15))
                let elapsed = ContinuousClock.now - started
                #expect(answer.closed, "the server did not close an idle connection within 15 s")
                #expect(elapsed >= .milliseconds(800), "closed before the idle timeout: \(elapsed)")
            }

            let socket = try RawConnection(port: port)
            try socket.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 20 * 1024))\r\nConnection: close\r\n\r\n")
            let refused = try socket.readUntilClosed(deadline: .seconds(15))
            #expect(refused.text.hasPrefix("HTTP/1.1 431"), "\(refused.text.prefix(200))")

            let huge = try RawConnection(port: port)
            try huge.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 40 * 1024))\r\n\r\n")
            let dropped = try huge.readUntilClosed(deadline: .seconds(15))
            #expect(dropped.closed && (dropped.text.isEmpty || dropped.text.hasPrefix("HTTP/1.1 400")), "\(dropped.text.prefix(200))")
        }
    }
}

/// A plain TCP connection to the loopback server, for what an HTTP client library would not send.
final class RawConnection {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(fd) }

    func send(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 { return }  // the server may close while we write (an oversize head); the answer tells
            bytes = bytes.dropFirst(sent)
        }
    }

    /// Reads until the server closes the connection or `deadline` passes.
    func readUntilClosed(deadline: Duration) throws -> (text: String, closed: Bool) {
        let end = ContinuousClock.now + deadline
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while ContinuousClock.now < end {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[0..<count]
        }
        return (String(decoding: received, as: UTF8.self), false)
    }
}
