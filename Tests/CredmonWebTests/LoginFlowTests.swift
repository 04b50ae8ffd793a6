import CredmonWeb
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OAuthTestServer
import Testing

@Suite("Login flow against a loopback authorization server")
struct LoginFlowTests {
    static let userinfoFragment = ["issuer.yaml": "name: issuer\nkind: oauth2\nuserinfo_url: $SERVER/userinfo\n"]

    @Test("key URL → Login button (POST) → provider → return writes .meta/.top/.use (0400, raw scopes) and removes the key file when all are done")
    func fullLogin() async throws {
        let fixture = try WebFixture(fragments: Self.userinfoFragment)
        let key = try fixture.writeKeyFile([("issuer", ""), ("issuer", "work")])
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            #expect(start.status == .ok)
            #expect(start.body.contains("id=\"login-issuer\"") && start.body.contains("id=\"login-issuer_work\""))
            #expect(start.body.contains("<span id=\"local-user\">alice</span>"), "the key page names the user the login is for")
            #expect(fixture.server.requests(to: "/authorize").isEmpty, "nothing went to the provider before a button was pressed")
            let setCookie = try #require(start.setCookie)
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && setCookie.contains("Path=/") && !setCookie.contains("Secure"))
            var cookie = try start.sessionCookie()

            for (index, service) in ["issuer", "issuer_work"].enumerated() {
                let login = try await client.pressLogin(service, on: start, cookie: cookie)
                #expect(login.status == .seeOther)
                let location = try #require(login.location)
                let parameters = queryItems(location)
                #expect(location.hasPrefix(fixture.server.issuer + "/authorize?"))
                #expect(parameters["response_type"] == "code" && parameters["client_id"] == WebFixture.client.id)
                #expect(parameters["redirect_uri"] == WebFixture.returnURL)
                #expect(parameters["code_challenge_method"] == "S256" && parameters["code_challenge"]?.count == 43)
                #expect((parameters["state"]?.count ?? 0) >= 43)
                #expect(parameters["scope"] == "read:/data write:/data")
                #expect(parameters["resource"] == "https://storage.example.org")
                #expect(parameters["nonce"] == nil, "no openid scope, no nonce")
                #expect(!location.contains(WebFixture.client.secret))
                cookie = try login.sessionCookie()

                let back = try await ProviderUser().authorize(location)
                #expect(back.absoluteString.hasPrefix(WebFixture.returnURL))
                let finish = try await client.get(pathAndQuery(back), cookie: cookie)
                #expect(finish.status == .seeOther && finish.location == "/", "\(finish.body)")
                cookie = try finish.sessionCookie()
                let keyExists = FileManager.default.fileExists(atPath: fixture.file(key))
                #expect(keyExists == (index == 0), "the key file goes once every service is logged in")
            }

            let home = try await client.get("/", cookie: cookie)
            #expect(home.body.contains("You have logged in to all service providers"))
            #expect(home.body.components(separatedBy: "Logged in as: alice@example.org").count - 1 == 2, "\(home.body)")
            #expect(home.headers[.cacheControl] == "no-store")
        }
        for stem in ["issuer", "issuer_work"] {
            let top = try #require(fixture.json("alice/\(stem).top"))
            #expect(top["scopes"] as? String == "read:/data, write:/data", "scopes exactly as condor_credd will compare them")
            #expect(top["audience"] as? String == "https://storage.example.org")
            let refresh = try #require(top["refresh_token"] as? String)
            #expect(fixture.server.isActive(refreshToken: refresh))
            let meta = try #require(fixture.json("alice/\(stem).meta"))
            #expect(meta["client_id"] as? String == WebFixture.client.id && meta["client_secret"] as? String == WebFixture.client.secret)
            #expect(meta["token_url"] as? String == fixture.server.issuer + "/token" && meta["use_refresh_token"] as? Bool == true)
            let use = try #require(fixture.json("alice/\(stem).use"))
            #expect(use["refresh_token"] == nil)
            #expect(fixture.server.isActive(accessToken: use["access_token"] as? String ?? ""))
            #expect(use["expires_at"] as? Int != nil && use["token_type"] as? String == "Bearer")
            for suffix in ["top", "meta", "use"] { #expect(fixture.mode("alice/\(stem).\(suffix)") == 0o400) }
        }
        #expect(fixture.mode("alice").map { $0 & 0o777 } == 0o700, "user directory 0700 (setgid inherited from the credential directory)")
        let exchanges = fixture.server.requests(to: "/token")
        #expect(exchanges.count == 2 && exchanges.allSatisfy { $0.status == 200 && $0.formFields["code_verifier"]?.count == 43 })
        let log = fixture.logs.text
        #expect(log.contains("Login completed"))
        for secret in [WebFixture.client.secret, key] + exchanges.compactMap({ $0.formFields["code"] }) {
            #expect(!log.contains(secret), "a secret reached the log")
        }
    }

    @Test("a second key URL in the same browser does not break the first login")
    func twoKeysOneBrowser() async throws {
        let fixture = try WebFixture()
        let first = try fixture.writeKeyFile([("issuer", "")], user: "alice")
        let second = try fixture.writeKeyFile([("issuer", "")], user: "bob")
        try await fixture.test { client in
            let start = try await client.get("/key/\(first)")
            var cookie = try start.sessionCookie()
            let login = try await client.pressLogin("issuer", on: start, cookie: cookie)
            cookie = try login.sessionCookie()
            cookie = try #require(try await client.get("/key/\(second)", cookie: cookie).cookie)
            let back = try await ProviderUser().authorize(try #require(login.location))
            let finish = try await client.get(pathAndQuery(back), cookie: cookie)
            #expect(finish.status == .seeOther)
            cookie = try finish.sessionCookie()
            let home = try await client.get("/", cookie: cookie)
            #expect(home.body.contains("(for alice)") && home.body.contains("(for bob)"))
            #expect(home.body.contains("id=\"state-issuer\"") && home.body.contains("id=\"login-issuer\""))
            #expect(home.body.contains("Log in to issuer for bob"), "the button names the user")
        }
        #expect(fixture.json("alice/issuer.top") != nil)
        #expect(fixture.json("bob/issuer.top") == nil)
        #expect(!FileManager.default.fileExists(atPath: fixture.file(first)) && FileManager.default.fileExists(atPath: fixture.file(second)))
    }

    @Test("provider presets: Google's access_type=offline + prompt=consent, OIDC nonce, offline_access where the preset needs it")
    func providerParameters() async throws {
        let fixture = try WebFixture(fragments: [
            "gdrive.yaml": "name: gdrive\nkind: gdrive\n",
            "onedrive.yaml": "name: onedrive\nkind: onedrive\n",
            "cilogon.yaml": "name: cilogon\nkind: oauth2\nscopes: [openid, email]\n",
        ])
        let key = try fixture.writeKeyFile([("gdrive", ""), ("onedrive", "")], scopes: "Files.Read")
        let oidc = try fixture.writeKeyFile([("cilogon", "")], scopes: "", audience: "")
        try await fixture.test { client in
            let start = try await client.get("/key/\(key)")
            let cookie = try start.sessionCookie()
            let google = queryItems(try #require(try await client.pressLogin("gdrive", on: start, cookie: cookie).location))
            #expect(google["access_type"] == "offline" && google["prompt"] == "consent")
            let microsoft = queryItems(try #require(try await client.pressLogin("onedrive", on: start, cookie: cookie).location))
            #expect(microsoft["scope"] == "Files.Read offline_access")
            let oidcStart = try await client.get("/key/\(oidc)")
            let cilogon = queryItems(try #require(try await client.pressLogin("cilogon", on: oidcStart, cookie: try oidcStart.sessionCookie()).location))
            #expect(cilogon["scope"] == "openid email", "empty Scopes take the fragment's")
            #expect((cilogon["nonce"]?.count ?? 0) >= 20 && cilogon["resource"] == nil)
        }
    }

    @Test("the key file is removed once all its services are logged in, even from two browsers")
    func twoBrowsers() async throws {
        let fixture = try WebFixture()
        let key = try fixture.writeKeyFile([("issuer", ""), ("issuer", "work")])
        try await fixture.test { client in
            for (service, more) in [("issuer", true), ("issuer_work", false)] {
                let start = try await client.get("/key/\(key)")  // a new browser: no cookie sent
                let login = try await client.pressLogin(service, on: start, cookie: try start.sessionCookie())
                let back = try await ProviderUser().authorize(try #require(login.location))
                let finish = try await client.get(pathAndQuery(back), cookie: try login.sessionCookie())
                #expect(finish.status == .seeOther, "\(finish.body)")
                #expect(FileManager.default.fileExists(atPath: fixture.file(key)) == more,
                        more ? "one service is still missing" : "every service has its credential")
            }
        }
        #expect(fixture.json("alice/issuer.top")?["refresh_token"] is String && fixture.json("alice/issuer_work.top")?["refresh_token"] is String)
    }

    @Test("routes live under the prefix; links, redirects and the cross-site guard know it")
    func prefix() async throws {
        let fixture = try WebFixture(prefix: "/credmon/", publicOrigin: "https://credmon.example.org")
        let key = try fixture.writeKeyFile([("issuer", "")])
        try await fixture.test { client in
            #expect(try await client.get("/key/\(key)").status == .notFound)
            let start = try await client.get("/credmon/key/\(key)")
            #expect(start.status == .ok && start.body.contains("action=\"/credmon/login/issuer\"") && start.body.contains("/credmon/static/credmon.css"))
            let setCookie = try #require(start.setCookie)
            #expect(setCookie.contains("Path=/credmon") && setCookie.contains("Secure"), "https public URL → Secure cookie")
            let crossSite: HTTPFields = [.secFetchSite: "cross-site"]
            #expect(try await client.get("/credmon/key/\(key)", headers: crossSite).status == .forbidden, "the guard knows the prefix")
            let form = try #require(LoginForm(start, service: "issuer"))
            let refused = try await client.post(form.action, form: [("csrf", form.csrf), ("login", form.login)], cookie: try start.sessionCookie(),
                                                headers: crossSite)
            #expect(refused.status == .forbidden && refused.location == nil)
            let login = try await client.pressLogin("issuer", on: start, cookie: try start.sessionCookie())
            let back = try await ProviderUser().authorize(try #require(login.location))
            let finish = try await client.get(pathAndQuery(back).replacingOccurrences(of: "/return/", with: "/credmon/return/"), cookie: try login.sessionCookie(),
                                              headers: crossSite)
            #expect(finish.location == "/credmon/", "the provider's redirect back is cross-site and passes: \(finish.body)")
        }
    }
}
