import CredmonWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OAuthTestServer
import Testing

/// HTCondor's `CREDMON_ALLOW_SPECIAL_CHAR_NAMES`, read from HTCondor's configuration as the daemon reads it: with it
/// true a key file's service may have `_` (the token name is then the whole service name, contract §B.1.2).
@Suite("CREDMON_ALLOW_SPECIAL_CHAR_NAMES in key files")
struct SpecialCharacterNameTests {
    static let allowed = ["CREDMON_ALLOW_SPECIAL_CHAR_NAMES": "true"]

    @Test("knob unset or false: a service with '_' is refused, the page names the line; nothing goes to a provider",
          arguments: [nil, ["CREDMON_ALLOW_SPECIAL_CHAR_NAMES": "false"]] as [[String: String]?])
    func refusedByDefault(knobs: [String: String]?) async throws {
        let fixture = try WebFixture(knobs: knobs)
        let key = try fixture.writeKeyFile([("my_box", "")])
        try await fixture.test { client in
            let page = try await client.get("/key/\(key)")
            #expect(page.status == .badRequest && page.body.contains("line 1") && page.body.contains("my_box"), "\(page.body)")
            #expect(page.cookie == nil)
        }
        #expect(fixture.server.requestLog.isEmpty)
    }

    @Test("knob true: a service with '_' logs in; my_box.top/.use/.meta are written, the whole name is the token name")
    func loginWithUnderscore() async throws {
        let client = OAuthServer.Client(id: WebFixture.client.id, secret: WebFixture.client.secret,
                                        redirectURIs: ["https://credmon.example.org/return/my_box"])
        let fixture = try WebFixture(knobs: Self.allowed, serverConfiguration: .init(clients: [client]))
        let key = try fixture.writeKeyFile([("my_box", ""), ("my-box", "")], returnURL: "https://credmon.example.org/return/my_box")
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            #expect(start.status == .ok && start.body.contains("id=\"login-my_box\"") && start.body.contains("id=\"login-my-box\""), "\(start.body)")
            let login = try await client.pressLogin("my_box", on: start, cookie: try start.sessionCookie())
            #expect(queryItems(try #require(login.location))["redirect_uri"] == "https://credmon.example.org/return/my_box")
            let back = try await ProviderUser().authorize(try #require(login.location))
            #expect(back.path == "/return/my_box")
            let finish = try await client.get(pathAndQuery(back), cookie: try login.sessionCookie())
            #expect(finish.status == .seeOther && finish.location == "/", "\(finish.body)")
        }
        for suffix in ["top", "use", "meta"] { #expect(fixture.mode("alice/my_box.\(suffix)") == 0o400, "alice/my_box.\(suffix)") }
        #expect(fixture.json("alice/my_box.top")?["refresh_token"] is String)
        #expect(fixture.json("alice/my-box.top") == nil, "my-box is another service (not logged in yet)")
        #expect(FileManager.default.fileExists(atPath: fixture.file(key)), "my-box still waits")
        #expect(fixture.logs.text.contains("credmon.token=my_box"))
    }

    @Test("knob true: names outside [A-Za-z0-9-+=_.], dot-names and traversal are still refused",
          arguments: ["../etc", "a/b", ".hidden_x", "..", "box_x y", "box*work"])
    func stillRefused(provider: String) async throws {
        let fixture = try WebFixture(knobs: Self.allowed)
        let key = try fixture.writeKeyFile([(provider, "")])
        try await fixture.test { client in
            let page = try await client.get("/key/\(key)")
            #expect(page.status == .badRequest && page.body.contains("not a valid service name"), "\(provider): \(page.body)")
        }
        #expect(fixture.server.requestLog.isEmpty)
    }

    @Test("knob true: other errors of a key file still name their line")
    func errorsKeepTheirLine() async throws {
        let fixture = try WebFixture(knobs: Self.allowed)
        let key = String(repeating: "ab", count: 32)
        try fixture.directory.write("cred/\(key)", "Provider = \"my_box\"\nLocalUser = \"alice\"\n\nProvider = \"x_y\"\nLocalUser = \"../root\"\n")
        chmod(fixture.file(key), 0o640)
        try await fixture.test { client in
            let page = try await client.get("/key/\(key)")
            #expect(page.status == .badRequest && page.body.contains("line 4") && page.body.contains("LocalUser"), "\(page.body)")
        }
    }
}
