import Testing
@testable import Engine

@Suite("Token and credential names")
struct TokenNameTests {
    @Test("A stem without '_' is a bare service")
    func bareService() throws {
        let name = try #require(TokenName(stem: "scitokens"))
        #expect(name.service == "scitokens")
        #expect(name.handle == nil)
        #expect(name.stem == "scitokens")
        #expect(name.description == "scitokens")
    }

    @Test("The service is the part before the first '_', the handle everything after it")
    func serviceAndHandle() throws {
        let simple = try #require(TokenName(stem: "box_work"))
        #expect(simple.service == "box")
        #expect(simple.handle == "work")
        #expect(simple.stem == "box_work")

        let nested = try #require(TokenName(stem: "box_work_personal"))
        #expect(nested.service == "box")
        #expect(nested.handle == "work_personal")
        #expect(nested.stem == "box_work_personal")
    }

    @Test("Stems credd would never write are refused", arguments: [
        "box_", "box__", "_work", "", ".", "..", ".hidden", "a/b", "../etc", "a b", "box\twork", "bøx", "box*work", "box@x", "a\u{0}b",
    ])
    func refusedStems(stem: String) {
        #expect(TokenName(stem: stem) == nil, "\(stem.debugDescription) should be refused")
    }

    @Test("credd's character set [A-Za-z0-9-+=_.] is accepted")
    func credDCharacterSet() throws {
        let name = try #require(TokenName(stem: "Az09-+=.x_h-+=.9"))
        #expect(name.service == "Az09-+=.x")
        #expect(name.handle == "h-+=.9")
    }

    @Test("With special characters allowed the whole stem is the service and there are no handles")
    func specialCharacters() throws {
        let name = try #require(TokenName(stem: "box_work", allowSpecialCharacters: true))
        #expect(name.service == "box_work")
        #expect(name.handle == nil)
        #expect(name.stem == "box_work")
        #expect(TokenName(stem: "a/b", allowSpecialCharacters: true) == nil)
        #expect(TokenName(stem: "..", allowSpecialCharacters: true) == nil)
        #expect(TokenName(stem: "a b", allowSpecialCharacters: true) == nil)
    }

    @Test("A handle-built name round-trips through its stem")
    func roundTrip() throws {
        let built = TokenName(service: "box", handle: "personal")
        #expect(built.stem == "box_personal")
        #expect(TokenName(stem: built.stem) == built)
    }

    @Test("File components: credd's set, at most 255 bytes, not . or ..")
    func fileComponents() {
        #expect(CredentialNames.isValidFileComponent("alice.smith+x=y_z-1"))
        #expect(CredentialNames.isValidFileComponent(String(repeating: "a", count: 255)))
        #expect(!CredentialNames.isValidFileComponent(String(repeating: "a", count: 256)))
        #expect(!CredentialNames.isValidFileComponent(""))
        #expect(!CredentialNames.isValidFileComponent("."))
        #expect(!CredentialNames.isValidFileComponent(".."))
        #expect(!CredentialNames.isValidFileComponent("a/b"))
        #expect(!CredentialNames.isValidFileComponent("a b"))
        #expect(!CredentialNames.isValidFileComponent("alice@example.org"))
    }

    @Test("User names: credd's set and no leading dot")
    func userNames() {
        #expect(CredentialNames.isValidUser("alice"))
        #expect(CredentialNames.isValidUser("alice.smith"))
        #expect(CredentialNames.isValidUser("alice_1"))
        #expect(!CredentialNames.isValidUser(".alice"))
        #expect(!CredentialNames.isValidUser(".."))
        #expect(!CredentialNames.isValidUser(""))
        #expect(!CredentialNames.isValidUser("alice smith"))
        #expect(!CredentialNames.isValidUser("alice/x"))
    }

    @Test("Provider names are [A-Za-z0-9-]+ unless special characters are allowed")
    func providerNames() {
        #expect(CredentialNames.isValidProviderName("my-Service-2", allowSpecialCharacters: false))
        for bad in ["my_service", "my.service", "a+b", "a=b", "", "..", "a/b", "a b", "é"] {
            #expect(!CredentialNames.isValidProviderName(bad, allowSpecialCharacters: false), "\(bad.debugDescription)")
        }
        #expect(CredentialNames.isValidProviderName("my_service", allowSpecialCharacters: true))
        #expect(CredentialNames.isValidProviderName("a+b=c.d", allowSpecialCharacters: true))
        for bad in ["", "..", ".hidden", "a/b", "a b"] {
            #expect(!CredentialNames.isValidProviderName(bad, allowSpecialCharacters: true), "\(bad.debugDescription)")
        }
    }

    @Test("Credential ids print as user/stem and sort by user, then stem")
    func credentialIDs() {
        let a = CredentialID(user: "alice", token: TokenName(service: "box", handle: "work"))
        let b = CredentialID(user: "alice", token: TokenName(service: "scitokens"))
        let c = CredentialID(user: "bob", token: TokenName(service: "box"))
        #expect(a.description == "alice/box_work")
        #expect([c, b, a].sorted() == [a, b, c])
    }
}
