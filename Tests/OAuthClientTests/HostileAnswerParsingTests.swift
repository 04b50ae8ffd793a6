import Engine
import Foundation
import Testing
@testable import OAuthClient

@Suite("Token answers that cannot be used: clear errors, rotations kept")
struct HostileAnswerParsingTests {
    private func parse(_ text: String) throws(TokenAnswerError) -> TokenResponse { try TokenResponse.parse(Data(text.utf8)) }

    @Test("Bad numbers and types are errors naming the member", arguments: [
        (#"{"access_token":"at","expires_in":1e300}"#, "expires_in"),
        (#"{"access_token":"at","expires_in":9223372036854775807}"#, "expires_in"),
        (#"{"access_token":"at","expires_in":-5}"#, "expires_in"),
        (#"{"access_token":"at","expires_in":{"a":1}}"#, "expires_in"),
        (#"{"access_token":"at","expires_at":1e18}"#, "expires_at"),
        (#"{"access_token":7}"#, "access_token"),
        (#"{"access_token":"a\nb"}"#, "access_token"),
        (#"{"access_token":"at","refresh_token":["x"]}"#, "refresh_token"),
        (#"{"access_token":"at","token_type":"bearer\r\nX: y"}"#, "token_type"),
        (#"{"access_token":"at","scope":[1,2]}"#, "scope"),
        (#"{"access_token":"at","scope":"a\u0000b"}"#, "scope"),
    ])
    func refused(body: String, member: String) {
        do {
            _ = try parse(body)
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.problem.contains(member), "\(error.problem)")
            #expect(!error.problem.contains("\n"))
        }
    }

    @Test("An unusable answer still hands over a well-formed rotated refresh token")
    func salvage() {
        do {
            _ = try parse(#"{"access_token":"at","refresh_token":"rt-2","expires_in":1e300}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.refreshToken == "rt-2")
        }
        do {
            _ = try parse(#"{"access_token":"at","refresh_token":"rt\n2","expires_in":1e300}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.refreshToken == nil, "a malformed refresh token is not kept")
        }
    }

    @Test("Non-JSON, empty and non-finite bodies are errors")
    func notJSON() {
        for body in ["", "<html><body>Error</body></html>", #"{"access_token":"at","x":1e999}"#, "\u{FF}\u{FE}", "[\"access_token\"]"] {
            #expect(throws: TokenAnswerError.self, "\(body)") { try parse(body) }
        }
    }

    @Test("A token already expired on arrival is refused, with its rotation kept")
    func alreadyExpired() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for body in [#"{"access_token":"at","expires_in":0,"refresh_token":"r2"}"#] {
            let answer = try parse(body)
            #expect(throws: TokenAnswerError.self) { try answer.accessTokenFile(issuedAt: now) }
        }
        let payload = Data(#"{"exp":1700000000}"#.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        let expiredJWT = try parse(#"{"access_token":"e30.\#(payload).c2ln","expires_in":3600,"refresh_token":"r3"}"#)
        do {
            _ = try expiredJWT.accessTokenFile(issuedAt: now)
            Issue.record("accepted an expired JWT")
        } catch {
            #expect(error.refreshToken == "r3" && error.problem.contains("already expired"))
        }
        let fine = try parse(#"{"access_token":"at","expires_in":3600}"#).accessTokenFile(issuedAt: now)
        #expect(fine.validity?.expiresAt == now.addingTimeInterval(3600))
    }

    @Test("Retry-After: digits or an HTTP date, bounded; anything else ignored")
    func retryAfter() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(RetryAfter.seconds("17", now: now) == 17)
        #expect(RetryAfter.seconds(" 17 ", now: now) == 17)
        #expect(RetryAfter.seconds("99999999999999999999999999", now: now) == RetryAfter.defaultMaximum)
        #expect(RetryAfter.seconds("1e999", now: now) == nil)
        #expect(RetryAfter.seconds("-5", now: now) == nil)
        #expect(RetryAfter.seconds("NaN", now: now) == nil)
        #expect(RetryAfter.seconds(String(decoding: [0x74, 0xD6, 0xA3, 0x8B, 0xD3], as: UTF8.self), now: now) == nil,
                "non-ASCII text never reaches DateFormatter (it trapped on this one)")
        #expect(RetryAfter.seconds("", now: now) == nil)
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == 0, "a date in the past means now")
    }

    @Test("Error codes outside RFC 6749's set are not OAuth errors; descriptions are escaped and cut")
    func errorStrings() {
        func response(_ body: String) -> HTTPResponse { HTTPResponse(status: 400, headers: [:], body: Data(body.utf8)) }
        let forged = OAuth2Client.failure(response(#"{"error":"invalid_grant\n2026-01-01 ERROR forged"}"#), endpoint: "e")
        #expect(forged.kind == .httpStatus(400), "not read as invalid_grant")
        let long = OAuth2Client.failure(response(#"{"error":"server_error","error_description":"\u001b[31mred\n\#(String(repeating: "x", count: 500))"}"#), endpoint: "e")
        #expect(!long.message.contains("\n") && !long.message.contains("\u{1B}"))
        #expect(long.message.count < 260)
    }

    @Test("Only https endpoints, or http on loopback, may carry secrets")
    func endpointPolicy() throws {
        #expect(EndpointPolicy.allows(try #require(URL(string: "https://idp.example/token"))))
        #expect(EndpointPolicy.allows(try #require(URL(string: "http://127.0.0.1:8080/token"))))
        #expect(EndpointPolicy.allows(try #require(URL(string: "http://127.0.0.2/token"))))
        #expect(EndpointPolicy.allows(try #require(URL(string: "http://[::1]/token"))))
        #expect(!EndpointPolicy.allows(try #require(URL(string: "http://idp.example/token"))))
        #expect(!EndpointPolicy.allows(try #require(URL(string: "http://127.0.0.1.evil.example/token"))))
        #expect(!EndpointPolicy.allows(try #require(URL(string: "ftp://idp.example/token"))))
    }

    @Test("A discovered http:// endpoint is a discovery error, and nothing is sent to it")
    func insecureDiscovery() async throws {
        let document = #"{"issuer":"https://idp.example","token_endpoint":"http://idp.example/token"}"#
        let transport = RecordingTransport(body: Data(document.utf8))
        let discovery = MetadataDiscovery(http: transport)
        await #expect(throws: OAuthError.self) { try await discovery.metadata(for: "https://idp.example") }
        let sent = transport.urls()
        #expect(sent == ["https://idp.example/.well-known/openid-configuration"], "only the discovery document was fetched")
    }
}

/// A transport that answers every request with one document and records the URLs asked for.
private final class RecordingTransport: HTTPClient, @unchecked Sendable {
    private let body: Data
    private let lock = NSLock()
    private var sent: [String] = []

    init(body: Data) { self.body = body }

    func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        lock.withLock { sent.append(request.url.absoluteString) }
        return HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: body)
    }

    func urls() -> [String] { lock.withLock { sent } }
}
