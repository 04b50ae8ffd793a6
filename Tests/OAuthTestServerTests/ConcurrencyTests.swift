import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import OAuthTestServer

@Suite("Load and shutdown")
struct ConcurrencyTests {
    @Test("200 concurrent refreshes of 200 grants with 20 ms latency all succeed, many in flight at once")
    func concurrentRefreshes() async throws {
        let server = try OAuthServer(configuration: .init(latency: .milliseconds(20)))
        defer { server.stop() }
        let client = TestClient(server, timeout: 30, maxConnections: 32)
        let tokens = (0..<200).map { server.issueGrant(clientID: "credmon-test", scope: "read", subject: "user\($0)").refreshToken }
        let results = try await withThrowingTaskGroup(of: (String, String?).self) { group in
            for token in tokens {
                group.addTask {
                    let (data, response) = try await client.refresh(token)
                    return (token, response.statusCode == 200 ? (try json(data)["refresh_token"] as? String) : nil)
                }
            }
            return try await group.reduce(into: [String: String?]()) { $0[$1.0] = .some($1.1) }
        }
        #expect(results.count == 200)
        #expect(results.values.allSatisfy { $0 != nil })
        for (old, new) in results {
            #expect(!server.isActive(refreshToken: old))
            #expect(server.isActive(refreshToken: try #require(new)))
        }
        // Concurrency is asserted by what the server saw at once, not by wall time (that is the benchmark's job):
        // with 20 ms of latency per request, 200 requests over 32 connections overlap.
        #expect(server.peakInFlight > 8)
        #expect(server.peakInFlight <= 32)
        #expect(server.inFlight == 0)
        #expect(server.requests(to: "/token").count == 200)
    }

    @Test("1,000 refreshes: 100 rotation chains of 10 over 64 connections with 20 ms latency; no reuse is detected")
    func thousandRefreshes() async throws {
        let server = try OAuthServer(configuration: .init(latency: .milliseconds(20)))
        defer { server.stop() }
        let client = TestClient(server, timeout: 30, maxConnections: 64)
        let seeds = (0..<100).map { server.issueGrant(clientID: "credmon-test", scope: "read", subject: "user\($0)").refreshToken }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for seed in seeds {
                group.addTask {
                    var token = seed
                    for _ in 0..<10 {
                        let (data, response) = try await client.refresh(token)
                        guard response.statusCode == 200, let next = try json(data)["refresh_token"] as? String else {
                            throw TestFailure("refresh failed with \(response.statusCode): \(String(decoding: data, as: UTF8.self))")
                        }
                        token = next
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(server.grants.count == 100)
        #expect(server.grants.allSatisfy { $0.refreshCount == 10 && !$0.isRevoked })
        #expect(server.requests(to: "/token").count == 1000)
        #expect(server.peakInFlight > 16)
        #expect(server.peakInFlight <= 64)
        #expect(server.inFlight == 0)
    }

    @Test("64 connections are in flight at once when the client opens them")
    func manyInFlight() async throws {
        let server = try OAuthServer(configuration: .init(latency: .seconds(2)))
        defer { server.stop() }
        let client = TestClient(server, timeout: 30, maxConnections: 64)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<64 { group.addTask { try await client.get("/jwks").1.statusCode } }
            for try await status in group { #expect(status == 200) }
        }
        #expect(server.peakInFlight == 64)
        #expect(server.acceptedConnections == 64)
    }

    @Test("Requests on one client reuse connections (keep-alive)")
    func keepAlive() async throws {
        let server = try OAuthServer()
        defer { server.stop() }
        let client = TestClient(server, maxConnections: 1)
        for _ in 0..<5 { _ = try await client.get("/.well-known/oauth-authorization-server") }
        #expect(server.acceptedConnections == 1)
        #expect(server.requestLog.map(\.indexOnConnection) == [1, 2, 3, 4, 5])
    }

    @Test("stop() returns promptly even with requests sleeping in latency and hanging in a timeout fault")
    func stopIsPrompt() async throws {
        let server = try OAuthServer(configuration: .init(latency: .seconds(30)))
        let client = TestClient(server, timeout: 60)
        let requests = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { _ = try? await client.get("/jwks") } }
                try await group.waitForAll()
            }
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while server.inFlight < 8 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.inFlight == 8)
        let started = ContinuousClock.now
        server.stop()
        #expect(ContinuousClock.now - started < .seconds(1))
        server.stop()  // idempotent
        try await requests.value
        #expect(server.inFlight == 0)
        // Nothing listens any more.
        let closed = await RawHTTP.exchange(port: server.port, ["GET / HTTP/1.1\r\nHost: x\r\n\r\n"], timeout: .seconds(1))
        #expect(closed == "<connect failed>")
    }

    @Test("stop() also ends idle keep-alive connections and a hanging timeout fault")
    func stopEndsIdleAndHanging() async throws {
        let server = try OAuthServer()
        let client = TestClient(server, timeout: 60)
        _ = try await client.get("/jwks")  // leaves an idle keep-alive connection
        server.inject(.timeout(.seconds(60)))
        let hanging = Task { try? await client.get("/jwks") }
        let deadline = ContinuousClock.now + .seconds(10)
        while server.inFlight < 1 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let started = ContinuousClock.now
        server.stop()
        #expect(ContinuousClock.now - started < .seconds(1))
        _ = await hanging.value
    }

    @Test("A released server stops by itself")
    func deinitStops() async throws {
        var port = 0
        do {
            let server = try OAuthServer()
            port = server.port
            _ = try await TestClient(server).get("/jwks")
        }
        // The listener is gone once the last reference went away.
        let deadline = ContinuousClock.now + .seconds(5)
        var answer = ""
        repeat {
            answer = await RawHTTP.exchange(port: port, ["GET /jwks HTTP/1.1\r\nHost: x\r\n\r\n"], timeout: .milliseconds(200))
            if answer == "<connect failed>" { break }
            try await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < deadline
        #expect(answer == "<connect failed>")
    }
}
