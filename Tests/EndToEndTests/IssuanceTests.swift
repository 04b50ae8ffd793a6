import Foundation
import Testing

/// The local issuer end to end: condor_credd writes a `.top`, credmon writes a `.use` that the field's verifiers accept.
@Suite("Local SciToken issuance, verified by python-scitokens and scitokens-cpp")
struct IssuanceTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var algorithm: String
        var profile: String
        var audience: String
        var testDescription: String { "\(algorithm) \(profile)" }
    }

    static let cases: [Case] = [
        Case(algorithm: "ES256", profile: "scitoken:2.0", audience: "https://storage.example.org"),
        Case(algorithm: "RS256", profile: "scitoken:2.0", audience: "https://storage.example.org"),
        Case(algorithm: "ES256", profile: "scitoken:1.0", audience: "https://storage.example.org"),
        Case(algorithm: "RS256", profile: "scitoken:1.0", audience: "https://storage.example.org"),
        Case(algorithm: "ES256", profile: "wlcg:1.0", audience: "https://wlcg.cern.ch/jwt/v1/any"),
        Case(algorithm: "RS256", profile: "wlcg:1.0", audience: "https://wlcg.cern.ch/jwt/v1/any"),
    ]

    @Test("a .top written as credd writes it gets a verifiable .use without any signal", arguments: cases)
    func issuesVerifiableToken(_ testCase: Case) throws {
        let issuer = "https://credmon.test"
        var fragment = """
        name: scitokens
        kind: local-scitoken
        issuer: \(issuer)
        algorithm: \(testCase.algorithm)
        key_id: key-\(testCase.algorithm.lowercased())
        profile: "\(testCase.profile)"
        lifetime: 900

        """
        if testCase.profile != "wlcg:1.0" { fragment += "audience: [\"\(testCase.audience)\"]\n" }
        let daemon = try DaemonProcess(label: "issue", fragments: ["scitokens.yaml": fragment])
        defer { daemon.cleanUp() }
        if testCase.algorithm == "RS256" {
            let key = daemon.keyDirectory.appendingPathComponent("scitokens-private.pem").path
            let result = try ProcessRunner.run("/usr/bin/openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key])
            try #require(result.status == 0, "openssl: \(result.stderr)")
        }
        try daemon.start()
        // The first pass is over and the next one is 600 s away (DaemonProcess's scan interval), and no signal is
        // sent: a .use that appears now comes from the inotify event of the .top alone.
        let complete = daemon.credentialDirectory.appendingPathComponent("CREDMON_COMPLETE").path
        try #require(eventually(timeout: 10) { FileManager.default.fileExists(atPath: complete) }, "no first pass; log:\n\(daemon.log)")
        try daemon.credd.storeLocalCredential(user: "alice")
        try daemon.credd.storeLocalCredential(user: "bob")
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil && daemon.credd.read("bob", "scitokens.use") != nil },
                "no .use appeared without a pass or a signal; log:\n\(daemon.log)")
        #expect(daemon.credd.mode("alice", "scitokens.use") == 0o400)

        let jwks = try daemon.command("jwks")
        try #require(jwks.status == 0, "credmon jwks failed: \(jwks.stderr)")
        let extra = testCase.profile == "wlcg:1.0" ? ["--python-accept-claim", "wlcg.ver"] : []
        let report = try TokenVerifier.verify(
            useFile: daemon.credd.path("alice", "scitokens.use"), jwks: jwks.stdout, issuer: issuer,
            audience: testCase.audience, allow: ["read:/user/alice/data", "write:/user/alice/out"],
            deny: ["read:/user/bob/data", "write:/user/mallory"], extra: extra)
        for check in report.checks {
            #expect(check.ok, "\(check.verifier) \(check.check): \(check.detail ?? "")")
        }
        #expect(report.checks.contains { $0.verifier == "scitokens-cpp" } && report.checks.contains { $0.verifier == "python-scitokens" })
        #expect(report.ok)

        let claims = report.claims
        #expect(claims["sub"]?.string == "alice")
        #expect(claims["iss"]?.string == issuer)
        #expect(claims["scope"]?.string == "read:/user/alice write:/user/alice")
        #expect(claims["aud"] == .strings([testCase.audience]))
        let iat = try #require(claims["iat"]?.number), exp = try #require(claims["exp"]?.number)
        #expect(exp - iat == 900)
        #expect(claims["nbf"]?.number == iat)
        #expect(abs(iat - Date().timeIntervalSince1970) < 30)
        #expect(UUID(uuidString: claims["jti"]?.string ?? "") != nil)
        switch testCase.profile {
        case "scitoken:2.0": #expect(claims["ver"]?.string == "scitoken:2.0")
        case "scitoken:1.0": #expect(claims["ver"] == nil)
        default: #expect(claims["wlcg.ver"]?.string == "1.0")
        }
        #expect(report.header["kid"]?.string == "key-\(testCase.algorithm.lowercased())")
        #expect(report.header["alg"]?.string == testCase.algorithm)

        let useJSON = try #require(daemon.credd.read("alice", "scitokens.use"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(useJSON.utf8)) as? [String: Any])
        #expect(object["expires_in"] as? Int == 900)
        #expect(Set(object.keys) == ["access_token", "expires_in"])
    }
}

/// Several local issuers in one daemon, each with its own key, algorithm and profile.
@Suite("Several local issuers side by side")
struct MultipleIssuerTests {
    @Test("two local issuers serve their own services; credmon jwks publishes both keys; discovery names each issuer exactly")
    func twoIssuers() throws {
        let daemon = try DaemonProcess(label: "multi", fragments: [
            "scitokens.yaml": """
            name: scitokens
            kind: local-scitoken
            issuer: https://ap.credmon.test
            key_id: ap-es
            audience: ["https://storage.example.org"]
            """,
            "osdf.yaml": """
            name: osdf
            kind: local-scitoken
            issuer: https://osdf.credmon.test/issuer
            key_id: osdf-rs
            algorithm: RS256
            profile: "wlcg:1.0"
            scopes: "storage.read:/ospool/{username}"
            """,
        ])
        defer { daemon.cleanUp() }
        let rsaKey = daemon.keyDirectory.appendingPathComponent("osdf-private.pem").path
        #expect(try ProcessRunner.run("/usr/bin/openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsaKey]).status == 0)
        try daemon.start()
        try daemon.credd.storeLocalCredential(user: "alice", token: "scitokens")
        try daemon.credd.storeLocalCredential(user: "alice", token: "osdf")
        #expect(eventually(timeout: 10) { daemon.credd.read("alice", "scitokens.use") != nil && daemon.credd.read("alice", "osdf.use") != nil },
                "log:\n\(daemon.log)")
        let jwks = try daemon.command("jwks")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(jwks.stdout.utf8)) as? [String: [[String: String]]])
        #expect(Set(document["keys"]?.compactMap { $0["kid"] } ?? []) == ["ap-es", "osdf-rs"])

        let scitoken = try TokenVerifier.verify(
            useFile: daemon.credd.path("alice", "scitokens.use"), jwks: jwks.stdout, issuer: "https://ap.credmon.test",
            audience: "https://storage.example.org", allow: ["read:/user/alice"], deny: ["read:/user/bob"])
        #expect(scitoken.ok, "\(scitoken.checks.filter { !$0.ok })")
        let wlcg = try TokenVerifier.verify(
            useFile: daemon.credd.path("alice", "osdf.use"), jwks: jwks.stdout, issuer: "https://osdf.credmon.test/issuer",
            audience: "https://wlcg.cern.ch/jwt/v1/any", allow: [], deny: [], extra: ["--python-accept-claim", "wlcg.ver"])
        #expect(wlcg.ok, "\(wlcg.checks.filter { !$0.ok })")
        #expect(wlcg.header["alg"]?.string == "RS256")
        #expect(wlcg.claims["scope"]?.string == "storage.read:/ospool/alice")

        let discovery = try daemon.command("jwks", ["--openid-configuration"])
        let documents = discovery.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
        }
        #expect(documents.contains { $0["issuer"] == "https://ap.credmon.test" && $0["jwks_uri"] == "https://ap.credmon.test/.well-known/jwks-uri" })
        #expect(documents.contains { $0["issuer"] == "https://osdf.credmon.test/issuer" && $0["jwks_uri"] == "https://osdf.credmon.test/issuer/.well-known/jwks-uri" })
        #expect(scitoken.claims["iss"]?.string == "https://ap.credmon.test", "discovery issuer equals the tokens' iss exactly")
    }
}
