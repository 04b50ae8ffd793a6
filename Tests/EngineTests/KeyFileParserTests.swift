import Engine
import Testing

@Suite("Key files: condor_credd's old-style ClassAds")
struct KeyFileParserTests {
    @Test("two ads separated by a blank line, escaped quotes, literal backslashes, numbers, booleans and comments")
    func parsesWhatCreddWrites() throws {
        let text = """
            # written by condor_credd
            Provider = "box"
            Handle = ""
            LocalUser = "alice"
            Scopes = "read:/data, write:/\\"quoted\\" dir"
            Audience = ""
            ClientId = "id-1"
            ClientSecret = "se\\\\cret\\tx"
            ReturnUrl = "https://web.example/return/box"
            AuthorizationUrl = "https://account.box.com/api/oauth2/authorize"
            TokenUrl = "https://api.box.com/oauth2/token"
            Extra = 42
            Ratio = 0.5
            Flag = true

            // second service
            Provider = "gdrive"
            Handle = "work"
            LocalUser = "alice"
            Scopes = ""
            Audience = "https://aud.example"
            """
        let services = try CondorKeyFile.parse(text, path: "/cd/key")
        #expect(services.count == 2)
        let box = services[0]
        #expect(box.provider == "box" && box.handle == nil && box.localUser == "alice")
        #expect(box.scopes == #"read:/data, write:/"quoted" dir"#)
        #expect(box.clientSecret == #"se\\cret\tx"#, "old ClassAd syntax: a backslash stands for itself")
        #expect(box.attributes["extra"] == .integer(42) && box.attributes["ratio"] == .real(0.5) && box.attributes["flag"] == .boolean(true))
        #expect(box.tokenName.stem == "box")
        #expect(!box.description.contains(#"se\\cret"#), "the secret must not be printed")
        let drive = services[1]
        #expect(drive.tokenName.stem == "gdrive_work" && drive.audience == "https://aud.example" && drive.scopes == "")
        #expect(drive.line == 17)
    }

    @Test("CRLF line ends, extra spaces and case-insensitive names are accepted")
    func tolerantOfLayout() throws {
        let services = try CondorKeyFile.parse("provider   =   \"svc\"\r\n  LOCALUSER=\"bob\"\r\n\r\n\r\n", path: "k")
        #expect(services.map(\.localUser) == ["bob"])
    }

    @Test("bad input names the file, the line and the problem", arguments: [
        ("Provider = \"a\"\nLocalUser \"bob\"\n", 2, "no '='"),
        ("Provider = \"a\"\nLocalUser = bob\n", 2, "not a quoted string"),
        ("Provider = \"a\nLocalUser = \"bob\"\n", 1, "no closing quote"),
        ("Provider = \"a\" junk\nLocalUser = \"bob\"\n", 1, "after the closing quote"),
        ("LocalUser = \"bob\"\n", 1, "no Provider"),
        ("Provider = \"a\"\n", 1, "no LocalUser"),
        ("Provider = \"a\"\nLocalUser = \"../etc\"\n", 1, "not a valid user"),
        ("Provider = \"a/b\"\nLocalUser = \"bob\"\n", 1, "not a valid service"),
        ("Provider = \"a\"\nProvider = \"b\"\nLocalUser = \"bob\"\n", 2, "appears twice"),
        ("Provider = 7\nLocalUser = \"bob\"\n", 1, "must be a quoted string"),
        ("1abc = \"x\"\n", 1, "not an attribute name"),
    ] as [(String, Int, String)])
    func rejects(_ text: String, line: Int, problem: String) {
        #expect {
            _ = try CondorKeyFile.parse(text, path: "/cd/key")
        } throws: { error in
            guard let error = error as? KeyFileError else { return false }
            return error.line == line && error.problem.contains(problem) && error.description.hasPrefix("/cd/key:\(line): ")
        }
    }

    @Test("an empty file and a repeated service are errors")
    func emptyAndDuplicate() {
        #expect(throws: KeyFileError.self) { try CondorKeyFile.parse("\n# nothing\n", path: "k") }
        #expect(throws: KeyFileError.self) {
            try CondorKeyFile.parse("Provider = \"a\"\nLocalUser = \"u\"\n\nProvider = \"a\"\nLocalUser = \"u\"\n", path: "k")
        }
    }

    @Test("key names are exactly 64 lowercase hex characters")
    func keyNames() {
        #expect(CondorKeyFile.isKeyName(String(repeating: "a1", count: 32)))
        #expect(!CondorKeyFile.isKeyName(String(repeating: "A1", count: 32)))
        #expect(!CondorKeyFile.isKeyName(String(repeating: "a", count: 63)))
        #expect(!CondorKeyFile.isKeyName("a" + String(repeating: "0", count: 62) + "/"))
    }
}
