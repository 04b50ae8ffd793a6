import Engine
import Foundation
import LocalSciToken
import Testing

/// `scopes_expression` (HTCondor's `AUTHZ_TEMPLATE_EXPR`, contract §C.2.3): a ClassAd expression over `Username`
/// whose string result is appended to the template's scopes; anything else adds nothing for that user.
@Suite("Scope expressions (AUTHZ_TEMPLATE_EXPR)")
struct ScopeExpressionTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    func scopes(_ provider: LocalSciTokenProvider, _ user: String) throws -> [String] {
        let scope = try mint(provider, for: user, at: Self.now).jwt.string("scope")
        return try #require(scope).split(separator: " ").map(String.init)
    }

    func provider(expression: String) throws -> LocalSciTokenProvider {
        let setup = try Setup()
        try setup.fragment("scitokens.yaml", """
        kind: local-scitoken
        audience: ANY
        scopes: "read:/user/{username}"
        scopes_expression: '\(expression)'
        """)
        return try setup.provider("scitokens")
    }

    @Test("a string result is appended after the template's scopes, per user")
    func appended() throws {
        let provider = try provider(expression: #"ifThenElse(regexp("^cms", Username), strcat("write:/store/user/", Username), "read:/public")"#)
        #expect(try scopes(provider, "cmsalice") == ["read:/user/cmsalice", "write:/store/user/cmsalice"])
        #expect(try scopes(provider, "bob") == ["read:/user/bob", "read:/public"])
        #expect(provider.profile.settings.contains { $0.key == "scopes_expression" && $0.value.hasPrefix("ifThenElse") })
    }

    @Test("a result that is not a string (undefined, a number, error) adds nothing for that user; others still get theirs")
    func nonStringSkipped() throws {
        let provider = try provider(expression: #"Username == "alice" ? "write:/admin" : (Username == "bob" ? 42 : undefined)"#)
        #expect(try scopes(provider, "alice") == ["read:/user/alice", "write:/admin"])
        #expect(try scopes(provider, "bob") == ["read:/user/bob"])
        #expect(try scopes(provider, "carol") == ["read:/user/carol"])
        // Cached per user: the same answer again.
        #expect(try scopes(provider, "alice") == ["read:/user/alice", "write:/admin"])
    }

    @Test("an expression outside the evaluated subset is an error naming it and the key")
    func outsideSubset() throws {
        let setup = try Setup()
        try setup.fragment("scitokens.yaml", """
        kind: local-scitoken
        audience: ANY
        scopes_expression: 'stringListMember(Username, "alice,bob") ? "write:/x" : ""'
        """)
        let errors = setup.errors()
        let error = try #require(errors.first { $0.key == "scopes_expression" }, "\(errors)")
        #expect(error.problem.contains("stringListMember"), "\(error)")
        #expect(error.line == 3)
    }
}
