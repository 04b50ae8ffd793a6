import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import CredmonTestKit
import Testing
import OAuthTestServer

@Suite("HTTP/1.1 on the wire")
struct HTTPProtocolTests {
    static let tokenForm = "grant_type=client_credentials&client_id=credmon-test&client_secret=credmon-test-secret"

    @Test("Malformed requests get a 4xx/5xx and a closed connection, and the server keeps serving", arguments: [
        ("garbage\r\n\r\n", 400),
        ("GET /jwks HTTP/1.1\r\n\r\n", 400),  // no Host
        ("GET /jwks HTTP/1.1\r\nHost: x\r\n folded: value\r\n\r\n", 400),
        ("GET /jwks HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", 400),
        ("GET /jwks HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400),
        ("GET /jwks HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        ("GET  /jwks HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        ("POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400),
        ("POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
        ("POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", 400),
        ("POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n", 413),
        ("POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400),
        ("POST /token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("GET /jwks HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n", 417),
        ("\u{0}\u{1}\u{2}\r\n\r\n", 400),
    ])
    func malformed(request: String, status: Int) async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let answer = await RawHTTP.exchange(port: server.port, [request])
        #expect(answer.statusCodes == [status], "\(answer)")
        #expect(answer.contains("Connection: close"))
        #expect(answer.contains(#""error":"invalid_request""#))
        #expect(server.rejectedRequests == 1)
        #expect(server.requestLog.isEmpty)
        _ = try await TestClient(server).get("/jwks")
    }

    @Test("A head over 64 KiB is 431")
    func hugeHead() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let answer = await RawHTTP.exchange(port: server.port, ["GET /jwks HTTP/1.1\r\nHost: x\r\nX: " + String(repeating: "a", count: 70_000)])
        #expect(answer.statusCodes == [431])
    }

    @Test("Truncated input or a peer that goes away is no problem")
    func truncated() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let partial = await RawHTTP.exchange(port: server.port, ["POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\nabc"],
                                             timeout: .milliseconds(200), closeWriteAfterSending: true)
        #expect(partial.isEmpty)
        let headOnly = await RawHTTP.exchange(port: server.port, ["GET /jw"], timeout: .milliseconds(200), closeWriteAfterSending: true)
        #expect(headOnly.isEmpty)
        #expect(try await TestClient(server).get("/jwks").1.statusCode == 200)
    }

    @Test("Expect: 100-continue is answered before the body is sent")
    func expectContinue() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let body = HTTPProtocolTests.tokenForm
        let answer = await RawHTTP.exchange(port: server.port, [
            "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nExpect: 100-continue\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n",
            body,
        ], gap: .milliseconds(200))
        #expect(answer.statusCodes == [100, 200], "\(answer)")
        #expect(answer.hasPrefix("HTTP/1.1 100 Continue\r\n\r\n"))
    }

    @Test("Chunked request bodies are decoded")
    func chunked() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let body = HTTPProtocolTests.tokenForm
        let first = String(body.prefix(10)), rest = String(body.dropFirst(10))
        let chunks = "\(String(first.utf8.count, radix: 16));ext=1\r\n\(first)\r\n\(String(rest.utf8.count, radix: 16))\r\n\(rest)\r\n0\r\nTrailer: x\r\n\r\n"
        let answer = await RawHTTP.exchange(port: server.port, [
            "POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
            chunks,
        ], gap: .milliseconds(50))
        #expect(answer.statusCodes == [200], "\(answer)")
        #expect(answer.contains("access_token"))
        #expect(server.requestLog.first?.form["grant_type"] == "client_credentials")
    }

    @Test("Pipelined requests on one connection are answered in order; Connection: close ends it")
    func pipelining() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let body = HTTPProtocolTests.tokenForm
        let post = "POST /token HTTP/1.1\r\nhost: x\r\ncontent-type: Application/X-WWW-Form-Urlencoded\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
        let answer = await RawHTTP.exchange(port: server.port, [
            "\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n" + post + "GET /jwks HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                + "GET /jwks HTTP/1.1\r\nHost: x\r\n\r\n",
        ])
        #expect(answer.statusCodes == [404, 200, 200], "\(answer)")
        #expect(server.requestLog.map(\.indexOnConnection) == [1, 2, 3])
        #expect(server.acceptedConnections == 1)
    }

    @Test("HTTP/1.0 closes unless keep-alive is asked for; HEAD has no body")
    func http10AndHead() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let closing = await RawHTTP.exchange(port: server.port, ["GET /jwks HTTP/1.0\r\n\r\n"])
        #expect(closing.statusCodes == [200])
        #expect(closing.contains("Connection: close"))
        let kept = await RawHTTP.exchange(port: server.port, ["GET /jwks HTTP/1.0\r\nConnection: keep-alive\r\n\r\nHEAD /jwks HTTP/1.0\r\n\r\n"])
        #expect(kept.statusCodes == [200, 200])
        #expect(kept.contains("Connection: keep-alive"))
        #expect(kept.components(separatedBy: #"{"keys":[]}"#).count == 2)  // the HEAD answer has none
    }

    @Test("A form body over 1 KiB through URLSession (libcurl may send Expect: 100-continue) works")
    func largeBodyThroughURLSession() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server)
        let token = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice").refreshToken
        var form: FormBody = ["grant_type": "refresh_token", "refresh_token": token]
        form.append("padding", String(repeating: "p", count: 200_000))
        let (_, response) = try await client.post("/token", form)
        #expect(response.statusCode == 200)
        let logged = try #require(server.requests(to: "/token").last)
        #expect(logged.form["padding"]?.count == 200_000)
    }

    @Test("500 randomly mutated requests never crash or wedge the server")
    func fuzz() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let body = HTTPProtocolTests.tokenForm
        let seed = Array(("POST /token?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            + "Authorization: Basic Y3JlZG1vbi10ZXN0OmNyZWRtb24tdGVzdC1zZWNyZXQ=\r\nExpect: 100-continue\r\n"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)GET /authorize?client_id=%zz&&==&a HTTP/1.1\r\nHost: h\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").utf8)
        var random = SplitMix64(seed: 0x0A07_4E57)
        var answered = 0
        for _ in 0..<500 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...6, using: &random) where !bytes.isEmpty {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<5, using: &random) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
                case 2: bytes.remove(at: at)
                case 3: bytes.removeSubrange(at...)
                default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 40)], at: at)
                }
            }
            let answer = await RawHTTP.exchangeBytes(port: server.port, bytes)
            if answer.hasPrefix("HTTP/1.1 ") { answered += 1 }
        }
        #expect(answered > 100)
        #expect(server.inFlight == 0)
        #expect(try await TestClient(server).get("/jwks").1.statusCode == 200)
    }
}

