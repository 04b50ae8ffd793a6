import CredmonTestKit
import CredmonWeb
import Foundation
import Hummingbird
import HummingbirdTesting
import OAuthTestServer
import Signers
import Testing

/// The web app on a site that has not moved to providers.d yet (HTCondor's knobs only), or whose fragments name a
/// client secret file only root can read: the logins must still ask for offline access, and the local issuers
/// must still be published, as HTCondor's Flask app did.
@Suite("Providers from key files, HTCondor's knobs and unreadable secrets")
struct DropInProviderTests {
    private static func keyPair(_ name: String, in directory: TemporaryDirectory) throws {
        _ = try KeyPairGenerator.ensureKeyPair(privateKeyPath: directory.file("keys/\(name)-private.pem"),
                                               publicKeyPath: directory.file("keys/\(name).pem"))
        chmod(directory.file("keys/\(name)-private.pem"), 0o000)  // the web app never reads it
    }

    private static func jwksKeyIDs(_ body: String) throws -> [String] {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        return (object["keys"] as? [[String: Any]] ?? []).compactMap { $0["kid"] as? String }
    }

    @Test("Key files alone: the service name gives the preset's offline parameters (Google, Dropbox, OneDrive); a generic service gets none")
    func presetsWithoutFragments() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("gdrive", ""), ("dropbox", ""), ("onedrive", ""), ("issuer", "")], scopes: "files")
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            let cookie = try start.sessionCookie()
            let google = queryItems(try #require(try await client.pressLogin("gdrive", on: start, cookie: cookie).location))
            #expect(google["access_type"] == "offline" && google["prompt"] == "consent")
            let dropbox = queryItems(try #require(try await client.pressLogin("dropbox", on: start, cookie: cookie).location))
            #expect(dropbox["token_access_type"] == "offline")
            let microsoft = queryItems(try #require(try await client.pressLogin("onedrive", on: start, cookie: cookie).location))
            #expect(microsoft["scope"] == "files offline_access")
            let generic = queryItems(try #require(try await client.pressLogin("issuer", on: start, cookie: cookie).location))
            #expect(generic["access_type"] == nil && generic["token_access_type"] == nil && generic["scope"] == "files")
            #expect(generic["code_challenge_method"] == "S256")
        }
    }

    @Test("A fragment whose client_secret_file this user cannot read is still used (the key file carries the secret)")
    func unreadableClientSecretFile() async throws {
        let client = OAuthServer.Client(id: WebFixture.client.id, secret: WebFixture.client.secret,
                                        redirectURIs: ["https://credmon.example.org/return/drive"])
        let fixture = try WebFixture(fragments: [
            "drive.yaml": "name: drive\nkind: gdrive\nclient_id: credmon-web-test\nclient_secret_file: /nonexistent/drive.secret\n",
        ], publicOrigin: "https://credmon.example.org", serverConfiguration: .init(clients: [client]))
        // condor_credd's ReturnUrl for drive (DRIVE_RETURN_URL_SUFFIX = /return/drive); it is sent verbatim.
        let key = try fixture.writeKeyFile([("drive", "")], returnURL: "https://credmon.example.org/return/drive")
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            let login = try await client.pressLogin("drive", on: start, cookie: try start.sessionCookie())
            let google = queryItems(try #require(login.location))
            #expect(google["access_type"] == "offline" && google["prompt"] == "consent", "the gdrive fragment was used")
            let back = try await ProviderUser().authorize(try #require(login.location))
            #expect(back.path == "/return/drive")
            let finish = try await client.get(pathAndQuery(back), cookie: try login.sessionCookie())
            #expect(finish.status == .seeOther && finish.location == "/", "the code exchange used the key file's secret: \(finish.body)")
        }
        #expect(fixture.json("alice/drive.top")?["refresh_token"] is String)
        #expect(!fixture.logs.text.contains("skipped"), "nothing was skipped:\n\(fixture.logs.text)")
    }

    @Test("HTCondor's knobs alone publish the local issuer (LOCAL_CREDMON_*), at the prefix and nowhere else")
    func knobOnlyLocalIssuer() async throws {
        let fixture = try WebFixture(knobs: [
            "LOCAL_CREDMON_PROVIDER_NAMES": "scitokens",
            "LOCAL_CREDMON_ISSUER": "https://credmon.example.org",
            "LOCAL_CREDMON_KEY_ID": "knob-key",
            "LOCAL_CREDMON_TOKEN_AUDIENCE": "https://storage.example.org",
            "LOCAL_CREDMON_PRIVATE_KEY": "$KEYS/scitokens-private.pem",
            "LOCAL_CREDMON_PUBLIC_KEY": "$KEYS/scitokens.pem",
        ], beforeStart: { try Self.keyPair("scitokens", in: $0) })
        try await fixture.test { client in
            let configuration = try await client.get("/.well-known/openid-configuration")
            #expect(configuration.status == .ok)
            #expect(configuration.body == #"{"issuer":"https://credmon.example.org","jwks_uri":"https://credmon.example.org/.well-known/jwks-uri"}"#)
            #expect(try Self.jwksKeyIDs(try await client.get("/.well-known/jwks-uri").body) == ["knob-key"])
        }
    }

    @Test("Two local issuers, one at the root and one below it: each has its own documents and keys")
    func twoIssuers() async throws {
        let fixture = try WebFixture(fragments: [
            "scitokens.yaml": "name: scitokens\nkind: local-scitoken\nissuer: https://credmon.example.org\nkey_id: root-key\naudience: [https://a]\n",
            "wlcg.yaml": "name: wlcg\nkind: local-scitoken\nissuer: https://credmon.example.org/wlcg\nkey_id: wlcg-key\nprofile: \"wlcg:1.0\"\n",
        ], beforeStart: { directory in
            try Self.keyPair("scitokens", in: directory)
            try Self.keyPair("wlcg", in: directory)
        })
        try await fixture.test { client in
            let root = try await client.get("/.well-known/openid-configuration")
            #expect(root.body == #"{"issuer":"https://credmon.example.org","jwks_uri":"https://credmon.example.org/.well-known/jwks-uri"}"#)
            #expect(try Self.jwksKeyIDs(try await client.get("/.well-known/jwks-uri").body) == ["root-key"])
            let wlcg = try await client.get("/wlcg/.well-known/openid-configuration")
            #expect(wlcg.status == .ok)
            #expect(wlcg.body == #"{"issuer":"https://credmon.example.org/wlcg","jwks_uri":"https://credmon.example.org/wlcg/.well-known/jwks-uri"}"#)
            #expect(try Self.jwksKeyIDs(try await client.get("/wlcg/.well-known/jwks-uri").body) == ["wlcg-key"])
            #expect(try Self.jwksKeyIDs(try await client.get("/wlcg/jwks").body) == ["wlcg-key"])
            #expect(try await client.get("/other/.well-known/openid-configuration").status == .notFound)
        }
    }
}
