import CredmonTestKit
import CredmonWeb
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import OAuthClient
import Signers
import Testing

@Suite("Sessions and the issuer documents")
struct SessionAndIssuerTests {
    @Test("sessions expire")
    func expiry() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            let cookie = try start.sessionCookie()
            #expect(try await client.get("/", cookie: cookie).body.contains("id=\"login-issuer\""))
            fixture.clock.advance(7201)
            #expect(try await client.get("/", cookie: cookie).body.contains("No login in progress"))
            #expect(try await client.pressLogin("issuer", on: start, cookie: cookie).status == .badRequest)
        }
    }

    @Test("a key file older than 12 hours is expired")
    func expiredKeyFile() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", "")])
        fixture.clock.advance(12 * 3600 + 60)
        try await fixture.test { client in
            let page = try await client.get("/key/\(key)")
            #expect(page.status == .notFound && page.body.contains("unknown or has expired"))
        }
    }

    @Test("wsgi_session_key: created once (0400, 24 bytes), shared by every process and restart")
    func sessionKey() async throws {
        let fixture = try WebFixture()
        let path = fixture.file("wsgi_session_key")
        #expect(fixture.mode("wsgi_session_key") == 0o400)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(bytes.count == 24)
        let key = try fixture.writeKeyFile([("issuer", "")])
        let cookie = try await fixture.test { client in try #require(try await client.get("/key/\(key)").cookie) }
        let restarted = try CredmonWebApp(configuration: fixture.app.configuration, http: URLSessionHTTPClient(), logger: Logger(label: "t"))
        try await Application(router: restarted.makeRouter()).test(.router) { client in
            let home = try await client.get("/", cookie: cookie)
            #expect(home.body.contains("id=\"login-issuer\""), "a restart keeps sessions")
        }
        #expect(FileManager.default.contents(atPath: path) == bytes)
    }

    @Test("concurrent first starts agree on one key")
    func sessionKeyRace() async throws {
        let directory = try TemporaryDirectory("credmon-web-race")
        let cred = try directory.makeDirectory("cred", mode: 0o2770)
        let keys = await withTaskGroup(of: [UInt8]?.self) { group in
            for _ in 0..<16 {
                group.addTask { try? SessionKeyFile.loadOrCreate(in: DirectoryHandle.open(path: cred)) }
            }
            return await group.reduce(into: [[UInt8]?]()) { $0.append($1) }
        }
        #expect(keys.count == 16 && keys.allSatisfy { $0 != nil && $0 == keys[0] })
        let names = try FileManager.default.contentsOfDirectory(atPath: cred)
        #expect(names == ["wsgi_session_key"], "no temporary file left: \(names)")
    }

    @Test("a too-short key (the Flask race) is replaced")
    func shortKeyReplaced() throws {
        let directory = try TemporaryDirectory("credmon-web-short")
        let cred = try directory.makeDirectory("cred", mode: 0o2770)
        try directory.write("cred/wsgi_session_key", "short")
        let key = try SessionKeyFile.loadOrCreate(in: DirectoryHandle.open(path: cred))
        #expect(key.count == 24 && FileManager.default.contents(atPath: cred + "/wsgi_session_key")?.count == 24)
    }

    @Test("openid-configuration and JWKS of the local issuer; 404 JSON without one")
    func issuerDocuments() async throws {
        let keys = try TemporaryDirectory("credmon-web-keys")
        _ = try KeyPairGenerator.ensureKeyPair(privateKeyPath: keys.file("scitokens-private.pem"), publicKeyPath: keys.file("scitokens.pem"))
        chmod(keys.file("scitokens-private.pem"), 0o000)  // the web app never reads it
        let fragment = "name: scitokens\nkind: local-scitoken\nissuer: https://issuer.example.org\nkey_id: key-1\naudience: [https://aud]\n" +
            "private_key: \(keys.file("scitokens-private.pem"))\npublic_key: \(keys.file("scitokens.pem"))\n"
        let fixture = try WebFixture(fragments: ["scitokens.yaml": fragment])
        try await fixture.test { client in
            let configuration = try await client.get("/.well-known/openid-configuration")
            #expect(configuration.status == .ok && configuration.headers[.contentType] == "application/json")
            #expect(configuration.body == #"{"issuer":"https://issuer.example.org","jwks_uri":"https://issuer.example.org/.well-known/jwks-uri"}"#)
            for path in ["/.well-known/jwks-uri", "/jwks"] {
                let jwks = try await client.get(path)
                let object = try #require(try JSONSerialization.jsonObject(with: Data(jwks.body.utf8)) as? [String: Any])
                let first = try #require((object["keys"] as? [[String: Any]])?.first)
                #expect(first["kid"] as? String == "key-1" && first["kty"] as? String == "EC" && first["crv"] as? String == "P-256")
            }
        }
        let empty = try WebFixture()
        try await empty.test { client in
            let page = try await client.get("/.well-known/openid-configuration")
            #expect(page.status == .notFound && page.body.contains("no local issuer"))
            #expect(try await client.get("/jwks").body == #"{"keys":[]}"#)
        }
    }
}
