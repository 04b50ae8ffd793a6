import Engine
import Foundation
import LocalSciToken
import Signers
import Testing

@Suite("local-scitoken fragments")
struct LocalSciTokenConfigurationTests {
    @Test("Defaults: issuer from the host, key id local, ES256, 1200 s, default scopes, renew at half, keys generated")
    func defaults() throws {
        let setup = try Setup()
        try setup.fragment("scitokens.yaml", """
            kind: local-scitoken
            audience: ["https://storage.example.org"]
            """)
        let provider = try setup.provider("scitokens")
        let configuration = provider.configuration
        #expect(configuration.name == "scitokens")
        #expect(configuration.issuer == "https://\(Setup.hostName)")
        #expect(configuration.keyID == "local")
        #expect(configuration.algorithm == .es256)
        #expect(configuration.lifetime == 1200)
        #expect(configuration.audience == ["https://storage.example.org"])
        #expect(configuration.profile == .scitoken2)
        #expect(configuration.scopes.text == "read:/user/{username} write:/user/{username}")
        #expect(configuration.groupScopes == nil)
        #expect(configuration.groupMapFile == nil)
        #expect(configuration.useJSON)
        #expect(configuration.renewFraction == 0.5)
        #expect(provider.profile.traits.renewFraction == 0.5)
        #expect(provider.profile.traits.allowsHandles == false, "credd refuses handles on local issuers")
        #expect(provider.profile.kind == "local-scitoken")

        let privatePath = setup.keyDirectory + "/scitokens-private.pem"
        let publicPath = setup.keyDirectory + "/scitokens.pem"
        #expect(configuration.privateKeyPath == privatePath)
        #expect(configuration.publicKeyPath == publicPath)
        #expect(fileMode(privatePath) == 0o600)
        #expect(fileMode(publicPath) == 0o644)
        let publicPEM = try String(contentsOfFile: publicPath, encoding: .utf8)
        #expect(publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        #expect(publicPEM == provider.key.publicKeyPEM, "the published public key is the signing key's")
        #expect(provider.publicJWK.kid == "local")
        #expect(provider.publicJWK.alg == "ES256")
    }

    @Test("Key files are named after the service; an existing key is reused, not replaced")
    func keyReused() throws {
        let setup = try Setup()
        try setup.fragment("issuer-a.yaml", "kind: local-scitoken\nprofile: wlcg:1.0\n")
        let first = try setup.provider("issuer-a")
        #expect(first.configuration.privateKeyPath == setup.keyDirectory + "/issuer-a-private.pem")
        let second = try setup.provider("issuer-a")
        #expect(second.publicJWK == first.publicJWK, "the same key on the next load")
    }

    @Test("Every setting can be given explicitly")
    func explicitSettings() throws {
        let setup = try Setup()
        try setup.fragment("mytokens.yaml", """
            name: my-tokens
            kind: local-scitoken
            issuer: https://tokens.example.org/issuer
            private_key: \(setup.root.file("elsewhere/signing.pem"))
            public_key: \(setup.root.file("elsewhere/public.pem"))
            key_id: key-2024
            lifetime: 600
            audience: ANY
            profile: scitoken:1.0
            scopes: "compute.create read:/data/{username}"
            use_json: false
            renew_fraction: 0.25
            """)
        let configuration = try setup.provider("my-tokens").configuration
        #expect(configuration.issuer == "https://tokens.example.org/issuer")
        #expect(configuration.privateKeyPath == setup.root.file("elsewhere/signing.pem"))
        #expect(configuration.keyID == "key-2024")
        #expect(configuration.lifetime == 600)
        #expect(configuration.audience == ["ANY"])
        #expect(configuration.profile == .scitoken1)
        #expect(configuration.scopes.text == "compute.create read:/data/{username}")
        #expect(!configuration.useJSON)
        #expect(configuration.renewFraction == 0.25)
        #expect(fileMode(setup.root.file("elsewhere/signing.pem")) == 0o600)
        #expect(fileMode(setup.root.file("elsewhere/public.pem")) == 0o644)
    }

    @Test("scitoken:2.0 without an audience is an error naming the key")
    func scitoken2NeedsAudience() throws {
        let setup = try Setup()
        let path = try setup.fragment("scitokens.yaml", "kind: local-scitoken\nlifetime: 900\n")
        let errors = setup.errors()
        let error = try #require(errors.first { $0.key == "audience" }, "\(errors)")
        #expect(error.file == path)
        #expect(error.description.hasPrefix(path + ":"))
        #expect(error.description.contains("'audience'"))
        #expect(error.description.contains("scitoken:2.0"), "\(error.description)")
        #expect(setup.root.allNames(in: "keys").isEmpty, "no key is generated for a fragment that fails")
    }

    @Test("wlcg:1.0 defaults the audience to the WLCG 'any' audience", arguments: ["wlcg:1.0", "wlcg", "WLCG"])
    func wlcgDefaultAudience(profile: String) throws {
        let setup = try Setup()
        try setup.fragment("wlcg.yaml", "kind: local-scitoken\nprofile: \(profile)\n")
        let configuration = try setup.provider("wlcg").configuration
        #expect(configuration.profile == .wlcg1)
        #expect(configuration.audience == ["https://wlcg.cern.ch/jwt/v1/any"])
    }

    @Test("An unknown placeholder in scopes is an error")
    func badPlaceholder() throws {
        let setup = try Setup()
        let path = try setup.fragment("scitokens.yaml", "kind: local-scitoken\naudience: ANY\nscopes: \"read:/user/{user}\"\n")
        let error = try #require(setup.errors().first)
        #expect(error.key == "scopes")
        #expect(error.line == 3)
        #expect(error.description.hasPrefix(path + ":3: key 'scopes'"), "\(error.description)")
        #expect(error.description.contains("{user}"))
    }

    @Test("An unclosed brace in group_scopes is an error")
    func badGroupPlaceholder() throws {
        let setup = try Setup()
        let mapfile = try setup.root.write("groups.map", "* alice physics\n")
        try setup.fragment("scitokens.yaml", "kind: local-scitoken\naudience: ANY\ngroup_mapfile: \(mapfile)\ngroup_scopes: \"read:/groups/{groupname\"\n")
        let error = try #require(setup.errors().first)
        #expect(error.key == "group_scopes")
    }

    @Test("group_scopes or group_requirement without group_mapfile is an error", arguments: [
        "group_scopes: \"read:/groups/{groupname}\"", "group_requirement: cms",
    ])
    func groupsNeedMapfile(line: String) throws {
        let setup = try Setup()
        let path = try setup.fragment("scitokens.yaml", "kind: local-scitoken\naudience: ANY\n\(line)\n")
        let error = try #require(setup.errors().first)
        let key = String(line.prefix { $0 != ":" })
        #expect(error.key == key)
        #expect(error.line == 3)
        #expect(error.description.hasPrefix(path + ":3: key '\(key)'"), "\(error.description)")
        #expect(error.description.contains("group_mapfile"))
    }

    @Test("A non-https issuer is an error", arguments: ["http://ap.example.org", "ap.example.org", "https://", "ftp://x.example"])
    func nonHTTPSIssuer(issuer: String) throws {
        let setup = try Setup()
        let path = try setup.fragment("scitokens.yaml", "kind: local-scitoken\naudience: ANY\nissuer: \"\(issuer)\"\n")
        let error = try #require(setup.errors().first)
        #expect(error.key == "issuer")
        #expect(error.description.hasPrefix(path + ":3: key 'issuer'"), "\(error.description)")
        #expect(error.description.contains("https"))
    }

    @Test("Other bad values are errors naming their key", arguments: [
        ("lifetime: 0", "lifetime"), ("lifetime: \"1200\"", "lifetime"), ("algorithm: HS256", "algorithm"),
        ("profile: scitoken:3.0", "profile"), ("use_json: \"false\"", "use_json"), ("renew_fraction: 0.995", "renew_fraction"),
        ("key_id: \"two words\"", "key_id"), ("audience: []", "audience"), ("scopes: \"  \"", "scopes"), ("lifetme: 600", "lifetme"),
    ])
    func otherBadValues(line: String, key: String) throws {
        let setup = try Setup()
        // Line 2 makes the fragment otherwise valid (an audience is needed unless the profile is WLCG).
        let filler = key == "profile" ? "audience: ANY" : "profile: wlcg:1.0"
        let path = try setup.fragment("scitokens.yaml", "kind: local-scitoken\n\(filler)\n\(line)\n")
        let errors = setup.errors()
        let error = try #require(errors.first { $0.key == key }, "\(errors)")
        #expect(error.description.hasPrefix(path + ":3: key '\(key)'"), "\(error.description)")
    }

    @Test("Several problems in one fragment are all reported")
    func severalProblems() throws {
        let setup = try Setup()
        try setup.fragment("scitokens.yaml", "kind: local-scitoken\nissuer: http://x\nscopes: \"{bad}\"\nlifetime: -5\n")
        let keys = Set(setup.errors().compactMap(\.key))
        #expect(keys.isSuperset(of: ["issuer", "scopes", "lifetime", "audience"]), "\(keys)")
    }
}
