import Engine
import Foundation
import LocalSciToken
import Signers
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Group map: group scopes and the group requirement")
struct GroupMapTests {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// Writes the map (unless nil) and a fragment using it into `setup`; returns the map's path and the provider.
    private func makeProvider(_ setup: Setup, mapfile: String?, extra: String) throws -> (String, LocalSciTokenProvider) {
        let mapPath = setup.root.file("groups.map")
        if let mapfile { try setup.root.write("groups.map", mapfile) }
        try setup.fragment("scitokens.yaml", "kind: local-scitoken\naudience: ANY\ngroup_mapfile: \(mapPath)\n\(extra)\n")
        return (mapPath, try setup.provider("scitokens"))
    }

    private func scopes(_ provider: LocalSciTokenProvider, _ user: String) throws -> [String] {
        let scope = try mint(provider, for: user, at: Self.now).jwt.string("scope")
        return try #require(scope).split(separator: " ").map(String.init)
    }

    @Test("Group scopes are appended once per group, in the map's order")
    func groupScopes() throws {
        let setup = try Setup()
        defer { withExtendedLifetime(setup) {} }
        let (_, provider) = try makeProvider(setup, mapfile: """
            # comment
            * alice physics,cms
            * bob atlas
            * alice ignored
            """, extra: "group_scopes: \"read:/groups/{groupname} write:/groups/{groupname}/{username}\"")
        #expect(try scopes(provider, "alice") == [
            "read:/user/alice", "write:/user/alice",
            "read:/groups/physics", "write:/groups/physics/alice",
            "read:/groups/cms", "write:/groups/cms/alice",
        ])
        #expect(try scopes(provider, "bob") == ["read:/user/bob", "write:/user/bob", "read:/groups/atlas", "write:/groups/atlas/bob"])
        #expect(try scopes(provider, "nobody") == ["read:/user/nobody", "write:/user/nobody"])
    }

    @Test("A user outside the required group gets an empty access token of the usual shape")
    func requirementNotMet() throws {
        let setup = try Setup()
        defer { withExtendedLifetime(setup) {} }
        let (_, provider) = try makeProvider(setup, mapfile: "* alice physics,cms\n* bob atlas\n", extra: "group_requirement: cms\nlifetime: 700")
        let update = try provider.mint(for: "bob", now: Self.now)
        let file = try AccessTokenFile.parse(update.accessTokenFile, path: "bob/scitokens.use")
        #expect(file.format == .json)
        #expect(file.accessToken == "")
        #expect(file.expiresIn == 700)
        #expect(Set(file.object.keys) == ["access_token", "expires_in"])
        #expect(update.validity?.lifetime == 700, "renewed like any token, so that joining the group takes effect")

        // A member gets a real token.
        let member = try mint(provider, for: "alice", at: Self.now)
        #expect(CompactJWS.verifiedPayload(of: member.jwt.token, with: provider.publicJWK) != nil)
        #expect(member.jwt.string("sub") == "alice")
    }

    @Test("An unreadable map with a group requirement is a transient error")
    func unreadableWithRequirement() throws {
        let setup = try Setup()
        defer { withExtendedLifetime(setup) {} }
        let (mapPath, provider) = try makeProvider(setup, mapfile: nil, extra: "group_requirement: cms")
        let error = #expect(throws: ProviderError.self) {
            try provider.mint(for: "alice", now: Self.now)
        }
        #expect(error?.disposition == .transient)
        #expect(error?.code == .groupMapfileUnreadable)
        #expect(error?.message.contains(mapPath) == true, "\(String(describing: error))")
    }

    @Test("An unreadable map without a requirement issues the token without group scopes")
    func unreadableWithoutRequirement() throws {
        let setup = try Setup()
        defer { withExtendedLifetime(setup) {} }
        let (_, provider) = try makeProvider(setup, mapfile: nil, extra: "group_scopes: \"read:/groups/{groupname}\"")
        #expect(try scopes(provider, "alice") == ["read:/user/alice", "write:/user/alice"])
    }

    @Test("The map is read again after it changes")
    func rereadAfterChange() throws {
        let setup = try Setup()
        defer { withExtendedLifetime(setup) {} }
        let (mapPath, provider) = try makeProvider(setup, mapfile: "* alice physics\n", extra: "group_scopes: \"read:/groups/{groupname}\"\ngroup_requirement: physics")
        #expect(try scopes(provider, "alice") == ["read:/user/alice", "write:/user/alice", "read:/groups/physics"])
        #expect(try provider.mint(for: "bob", now: Self.now).accessTokenFile.count < 60, "bob is not a member yet")

        try setup.root.write("groups.map", "* alice physics,atlas\n* bob physics\n")
        #expect(try scopes(provider, "alice") == ["read:/user/alice", "write:/user/alice", "read:/groups/physics", "read:/groups/atlas"])
        #expect(try scopes(provider, "bob") == ["read:/user/bob", "write:/user/bob", "read:/groups/physics"])

        // Same size, new content: still noticed (modification time and inode).
        let replacement = setup.root.file("groups.map.new")
        try Data("* alice physics,ATLAS\n* bob physics\n".utf8).write(to: URL(fileURLWithPath: replacement))
        #expect(rename(replacement, mapPath) == 0)
        #expect(try scopes(provider, "alice").last == "read:/groups/ATLAS")

        // Removed: the requirement can no longer be checked.
        try FileManager.default.removeItem(atPath: mapPath)
        #expect(throws: ProviderError.self) { try provider.mint(for: "alice", now: Self.now) }
    }
}
