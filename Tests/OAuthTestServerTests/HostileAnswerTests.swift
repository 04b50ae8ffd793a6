import Foundation
import Testing
import OAuthTestServer

/// Hostile-server mode: each row of the table sends what it says, and changes the server's state only if it rotates.
@Suite("Hostile answers")
struct HostileAnswerTests {
    /// A server with a grant whose refreshes get `row`.
    func serve(_ row: HostileAnswer) throws -> (server: OAuthServer, refreshToken: String) {
        var configuration = OAuthServer.Configuration()
        configuration.hostileStall = .seconds(4)
        configuration.hostileRedirectLocation = "http://127.0.0.2:4444/token"
        let server = try OAuthServer(configuration: configuration)
        let refreshToken = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "mallory").refreshToken
        server.answerHostile(row, forGrantOf: refreshToken)
        return (server, refreshToken)
    }

    static func rows(_ kinds: HostileAnswer.Kind...) -> [HostileAnswer] { HostileAnswer.catalog.filter { kinds.contains($0.kind) } }

    static let completeRows = HostileAnswer.catalog.filter { if case .response = $0.outcome { true } else { false } }

    @Test("the table: at least 30 rows, unique names, every kind")
    func table() {
        let catalog = HostileAnswer.catalog
        #expect(catalog.count >= 30)
        #expect(Set(catalog.map(\.id)).count == catalog.count)
        #expect(Set(catalog.map(\.kind)) == Set(HostileAnswer.Kind.allCases))
        #expect(catalog.filter(\.rotatesRefreshToken).count >= 2)
    }

    @Test("a complete answer: the status, the row's bytes, the connection closed; state changes only if the row rotates",
          arguments: completeRows)
    func completeAnswer(_ row: HostileAnswer) async throws {
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let raw = await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .seconds(20))
        let response = try #require(raw.response, "no whole head: \(String(decoding: raw.bytes.prefix(200), as: UTF8.self))")
        guard case .response(let status) = row.outcome else { return }
        #expect(response.status == status)
        #expect(raw.end == .closed)
        if let marker = row.marker { #expect(raw.bytes.firstRange(of: marker) != nil, "\(row.id): the marker is not in the answer") }
        if let length = response.headers["content-length"].flatMap(Int.init) { #expect(length == response.body.count) }
        #expect(server.requests(to: "/token").last?.hostile == row.id)
        let grant = try #require(server.grant(forRefreshToken: refreshToken))
        if row.rotatesRefreshToken {
            #expect(!server.isActive(refreshToken: refreshToken), "a rotating row must retire the token presented")
            let current = try #require(grant.currentRefreshToken)
            #expect(String(decoding: response.body, as: UTF8.self).contains(#""refresh_token":"\#(current)""#),
                    "the answer must carry the valid rotated token")
        } else {
            #expect(grant.refreshCount == 0)
            #expect(server.isActive(refreshToken: refreshToken))
        }
    }

    @Test("numbers: the literal is sent as is; the JWT's exp is in the past", arguments: rows(.number))
    func numbers(_ row: HostileAnswer) async throws {
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let body = try #require(await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .seconds(5)).response?.body)
        let text = String(decoding: body, as: UTF8.self)
        if row.id.hasPrefix("JWT") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
            let token = try #require(object["access_token"] as? String)
            let parts = token.split(separator: ".")
            #expect(parts.count == 3)
            var payload = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while payload.count % 4 != 0 { payload += "=" }
            let claims = try #require(try JSONSerialization.jsonObject(with: Data(base64Encoded: payload) ?? Data()) as? [String: Any])
            let exp = try #require(claims["exp"] as? Int)
            #expect(Double(exp) < Date().timeIntervalSince1970 - 600)
            #expect(object["expires_in"] as? Int == 3600)
        } else {
            #expect(text.contains(String(decoding: try #require(row.marker), as: UTF8.self)))
            #expect(text.hasPrefix("{") && text.hasSuffix("}"))
        }
    }

    @Test("wrong types and repeated keys: the body is JSON (or names a key twice) with the wrong member", arguments: rows(.type, .duplicateKey))
    func types(_ row: HostileAnswer) async throws {
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let body = try #require(await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .seconds(5)).response?.body)
        let text = String(decoding: body, as: UTF8.self)
        if row.kind == .duplicateKey {
            let key = row.id.hasSuffix("expires_in") ? #""expires_in""# : #""access_token""#
            #expect(text.components(separatedBy: key).count - 1 == 2, "\(text)")
        } else if !row.id.contains("1e") {
            #expect((try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) != nil, "not JSON: \(text)")
        }
    }

    @Test("deep nesting: 10,000 levels", arguments: rows(.nesting))
    func nesting(_ row: HostileAnswer) async throws {
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let body = try #require(await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .seconds(5)).response?.body)
        let opening = body.filter { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "{") }.count
        #expect(opening >= 10_000)
    }

    @Test("huge bodies: over 1 MiB (the chunked one 64 MiB)", arguments: rows(.size))
    func size(_ row: HostileAnswer) async throws {
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let response = try #require(await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .seconds(30)).response)
        #expect(response.body.count > 1 << 20)
        if response.headers["transfer-encoding"] == "chunked" { #expect(response.body.count > 64 << 20) }
    }

    @Test("content: empty, HTML, binary, form-encoded; encodings: invalid UTF-8 and UTF-16", arguments: rows(.content, .encoding))
    func content(_ row: HostileAnswer) async throws {
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let response = try #require(await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .seconds(5)).response)
        let type = response.headers["content-type"] ?? ""
        switch row.id {
        case "empty body": #expect(response.body.isEmpty)
        case let id where id.hasPrefix("HTML"): #expect(String(decoding: response.body, as: UTF8.self).contains("<html>"))
        case "PNG bytes": #expect(type == "image/png" && response.body.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        case let id where id.hasPrefix("form-encoded"): #expect(type == "text/plain")
        case let id where id.hasPrefix("invalid UTF-8"): #expect(String(validating: response.body, as: UTF8.self) == nil)
        case "UTF-16 body": #expect(response.body.starts(with: [0xFF, 0xFE]) && response.body.contains(0))
        default: Issue.record("no check for \(row.id)")
        }
    }

    @Test("control characters: the string field decodes to newlines, ESC and the forged line", arguments: rows(.controlCharacters))
    func controlCharacters(_ row: HostileAnswer) async throws {
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let body = try #require(await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .seconds(5)).response?.body)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            // The raw row is not JSON: the control bytes are on the wire as they are.
            #expect(row.id.hasPrefix("raw"))
            #expect(body.contains(0x1B) && body.contains(0x0A) && body.contains(0))
            return
        }
        let strings = object.values.compactMap { $0 as? String }
        #expect(strings.contains { $0.unicodeScalars.contains { $0.value < 0x20 } }, "\(object)")
    }

    @Test("Retry-After: the absurd value is sent as is, on a 429", arguments: rows(.retryAfter))
    func retryAfter(_ row: HostileAnswer) async throws {
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let raw = await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .seconds(5))
        #expect(raw.response?.status == 429)
        #expect(raw.bytes.firstRange(of: try #require(row.marker)) != nil)
    }

    @Test("redirects: Location is the other host's token URL", arguments: rows(.redirect))
    func redirect(_ row: HostileAnswer) async throws {
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let response = try #require(await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .seconds(5)).response)
        #expect(response.headers["location"] == "http://127.0.0.2:4444/token")
        #expect(server.isActive(refreshToken: refreshToken))
    }

    @Test("stalls: silence, a head and then silence, a drip, endless interim heads; the token stays usable", arguments: rows(.stall))
    func stall(_ row: HostileAnswer) async throws {
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let raw = await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .milliseconds(2500))
        #expect(raw.end == .stillOpen, "a stall must keep the connection open")
        switch row.outcome {
        case .silence:
            #expect(raw.bytes.isEmpty)
        case .stallsAfterHead(let status):
            let response = try #require(raw.response)
            #expect(response.status == status)
            let length = try #require(response.headers["content-length"].flatMap(Int.init))
            #expect(response.body.count < length)
            #expect((raw.arrivals.last?.at ?? 0) < 1, "bytes kept coming: \(raw.arrivals)")
        case .drips:
            // One byte a second: over 2.5 s at most the head (body drip) and three bytes.
            let single = raw.arrivals.filter { $0.count == 1 }
            #expect((1...3).contains(single.count), "\(raw.arrivals)")
            #expect(raw.response == nil || (raw.response!.body.count < 4))
        case .endlessInterim:
            #expect(raw.statuses.count >= 10 && raw.statuses.allSatisfy { $0 == 100 }, "\(raw.statuses)")
        default:
            Issue.record("not a stall: \(row.id)")
        }
        #expect(server.isActive(refreshToken: refreshToken))
        #expect(server.grant(forRefreshToken: refreshToken)?.refreshCount == 0)
    }

    @Test("connections: a reset, a close before the head, a close mid-body", arguments: rows(.connection))
    func connection(_ row: HostileAnswer) async throws {
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let raw = await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .seconds(5))
        switch row.outcome {
        case .reset:
            #expect(raw.end == .reset && raw.bytes.isEmpty)
        case .closedBeforeHead:
            #expect(raw.end == .closed && raw.bytes.isEmpty)
        case .closedMidBody(let status):
            let response = try #require(raw.response)
            #expect(raw.end == .closed && response.status == status)
            #expect(response.body.count < (response.headers["content-length"].flatMap(Int.init) ?? 0))
        default:
            Issue.record("not a connection row: \(row.id)")
        }
        #expect(server.isActive(refreshToken: refreshToken))
    }

    @Test("other grants are answered normally; endHostility restores the grant; every-request mode")
    func scope() async throws {
        let row = try #require(HostileAnswer.named("expires_in -5"))
        let (server, refreshToken) = try serve(row)
        defer { server.stop() }
        let other = server.issueGrant(clientID: "credmon-test", scope: "read", subject: "alice").refreshToken
        #expect(await RawRefresh.send(port: server.port, refreshToken: other, readFor: .seconds(5)).response?.status == 200)
        #expect(server.requests(to: "/token").last?.hostile == nil)
        server.endHostility(forGrantOf: refreshToken)
        let body = try #require(await RawRefresh.send(port: server.port, refreshToken: refreshToken, readFor: .seconds(5)).response?.body)
        #expect(!String(decoding: body, as: UTF8.self).contains(#""expires_in":-5"#), "the grant is answered normally again")
        server.answerHostileToEveryTokenRequest(row)
        let again = try #require(await RawRefresh.send(port: server.port, refreshToken: "rt-nobody", readFor: .seconds(5)).response?.body)
        #expect(String(decoding: again, as: UTF8.self).contains(#""expires_in":-5"#))
    }
}
