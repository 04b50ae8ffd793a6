import Testing
@testable import LocalSciToken

@Suite("Scope templates")
struct ScopeTemplateTests {
    @Test("Placeholders are replaced in one pass, scopes split on spaces and tabs", arguments: [
        ("read:/user/{username} write:/user/{username}", ["username": "alice"], ["read:/user/alice", "write:/user/alice"]),
        ("read:/ compute.create", ["username": "alice"], ["read:/", "compute.create"]),
        ("read:/g/{groupname}\twrite:/u/{username}", ["groupname": "cms", "username": "bob"], ["read:/g/cms", "write:/u/bob"]),
        ("read:/{username}{username}", ["username": "x"], ["read:/xx"]),
        // A value is not expanded again, whatever the order of the values.
        ("read:/{username}/{groupname}", ["username": "{groupname}", "groupname": "g"], ["read:/{groupname}/g"]),
        // A placeholder without a value stays; an unclosed brace is kept as text.
        ("read:/{groupname} write:/{user", ["username": "u"], ["read:/{groupname}", "write:/{user"]),
        ("", ["username": "u"], []),
        // Runs of white space and white space at either end make no empty scopes; text outside ASCII is kept.
        ("  read:/a \t  write:/b\t", ["username": "u"], ["read:/a", "write:/b"]),
        ("read:/ü/{username} {username}", ["username": "zoë"], ["read:/ü/zoë", "zoë"]),
        ("{username}", ["username": ""], []),
    ] as [(String, [String: String], [String])])
    func expands(template: String, values: [String: String], expected: [String]) {
        #expect(ScopeTemplate(template).expand(values) == expected)
    }

    @Test("Templates of the same text are equal, whatever was expanded from them")
    func equality() {
        let template = ScopeTemplate("read:/user/{username}")
        _ = template.expand(["username": "a"])
        #expect(template == ScopeTemplate("read:/user/{username}"))
        #expect(template != ScopeTemplate("read:/user/{groupname}"))
    }
}
