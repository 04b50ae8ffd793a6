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
    ] as [(String, [String: String], [String])])
    func expands(template: String, values: [String: String], expected: [String]) {
        #expect(ScopeTemplate(template).expand(values) == expected)
    }
}
