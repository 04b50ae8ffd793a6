import Foundation
import Testing
@testable import Engine

@Suite("Scanning the credential directory")
struct DirectoryScannerTests {
    /// A credential directory with good credentials and every kind of thing to ignore.
    private func makeTree() throws -> (root: TemporaryDirectory, outside: TemporaryDirectory) {
        let root = try TemporaryDirectory("engine-scan")
        let outside = try TemporaryDirectory("engine-scan-outside")
        try root.makeDirectory("alice")
        try root.write("alice/scitokens.top", "alice@foo")
        try root.write("alice/scitokens.use", #"{"access_token": "t", "expires_in": 1200}"#)
        try root.write("alice/box_work.top", #"{"refresh_token": "rt"}"#)
        try root.write("alice/box_work.meta", #"{"client_id": "c"}"#)
        try root.write("alice/stray.use", "tok\n")
        try root.write("alice/bad_.top", "x")
        try root.write("alice/.credmon-tmp.scitokens.use.k3j2", "partial")
        try root.write("alice/notes.txt", "ignored")
        try root.symlink("alice/linked.top", to: root.file("alice/scitokens.top"))
        try root.makeDirectory("bob")
        try root.write("bob/box.top", #"{"refresh_token": "rt"}"#)
        // A user directory that is a symlink to one outside the root, holding a credential.
        try outside.write("svc.top", "x")
        try root.symlink("mallory", to: outside.path)
        // And one to another user's directory.
        try root.symlink("eve", to: root.file("alice"))
        try root.makeDirectory("bad user")
        try root.write("bad user/svc.top", "x")
        try root.makeDirectory(".hidden")
        try root.write("pid", "1")
        try root.write("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "[ key file ]")
        return (root, outside)
    }

    private func ids(_ result: DirectoryScanner.Result) -> [String] {
        result.credentials.map(\.id.description).sorted()
    }

    @Test("Finds <user>/<token>.top with and without .use, and nothing else")
    func findsCredentials() async throws {
        let (root, outside) = try makeTree()
        defer { withExtendedLifetime(outside) {} }
        let result = try await DirectoryScanner(root: root.path, allowSpecialCharacters: false).scanAll()
        #expect(ids(result) == ["alice/box_work", "alice/scitokens", "bob/box"])
        #expect(result.users == ["alice", "bob"])

        let scitokens = try #require(result.credentials.first { $0.id.description == "alice/scitokens" })
        #expect(scitokens.id.token == TokenName(service: "scitokens"))
        #expect(scitokens.seed.type == .regular)
        #expect(scitokens.seed.size == Int64("alice@foo".utf8.count))
        #expect(scitokens.access?.type == .regular)
        let box = try #require(result.credentials.first { $0.id.description == "alice/box_work" })
        #expect(box.id.token == TokenName(service: "box", handle: "work"))
        #expect(box.access == nil)
    }

    @Test("Symlinked user directories and .top files, and invalid names, are reported as problems")
    func reportsProblems() async throws {
        let (root, outside) = try makeTree()
        defer { withExtendedLifetime(outside) {} }
        let result = try await DirectoryScanner(root: root.path, allowSpecialCharacters: false).scanAll()
        let paths = Set(result.problems.map(\.path))
        #expect(paths.contains(root.file("mallory")), "\(result.problems)")
        #expect(paths.contains(root.file("eve")), "\(result.problems)")
        #expect(paths.contains(root.file("alice/linked.top")), "\(result.problems)")
        #expect(paths.contains(root.file("bad user")), "\(result.problems)")
        #expect(paths.contains(root.file("alice/bad_.top")), "\(result.problems)")
        #expect(result.problems.first { $0.path == root.file("mallory") }?.problem.contains("symlink") == true)
        #expect(result.problems.first { $0.path == root.file("alice/linked.top") }?.problem.contains("symlink") == true)
        // Nothing else is a problem: plain files at the root, stray .use and other files are simply ignored.
        #expect(!paths.contains(root.file("pid")))
        #expect(!paths.contains(root.file("alice/notes.txt")))
        #expect(!paths.contains(root.file("alice/scitokens.top")))
        #expect(!paths.contains(root.file("bob")))
    }

    @Test("Nothing is ever listed through a symlink")
    func neverThroughSymlinks() async throws {
        let (root, outside) = try makeTree()
        defer { withExtendedLifetime(outside) {} }
        #expect(FileManager.default.fileExists(atPath: outside.file("svc.top")), "there is something to find through the link")
        let result = try await DirectoryScanner(root: root.path, allowSpecialCharacters: false).scanAll()
        #expect(!result.credentials.contains { $0.id.user == "mallory" || $0.id.user == "eve" })
        #expect(!result.users.contains("mallory"))
        #expect(!result.users.contains("eve"))
        #expect(!result.credentials.contains { $0.id.token.service == "linked" })
        // Scanning a symlinked user directory directly does not list it either.
        var direct = DirectoryScanner.Result()
        DirectoryScanner(root: root.path, allowSpecialCharacters: false).scanUser("mallory", into: &direct)
        #expect(direct.credentials.isEmpty)
        #expect(direct.problems.map(\.path) == [root.file("mallory")])
    }

    @Test("Temporary files left by a hard kill are reported as orphans")
    func orphans() async throws {
        let (root, outside) = try makeTree()
        defer { withExtendedLifetime(outside) {} }
        let result = try await DirectoryScanner(root: root.path, allowSpecialCharacters: false).scanAll()
        #expect(result.orphans.count == 1)
        #expect(result.orphans.first?.user == "alice")
        #expect(result.orphans.first?.name == ".credmon-tmp.scitokens.use.k3j2")
        #expect(root.exists("alice/.credmon-tmp.scitokens.use.k3j2"), "scanning removes nothing")
    }

    @Test("With special characters allowed, the whole stem is the service")
    func specialCharacters() async throws {
        let (root, outside) = try makeTree()
        defer { withExtendedLifetime(outside) {} }
        let result = try await DirectoryScanner(root: root.path, allowSpecialCharacters: true).scanAll()
        let box = try #require(result.credentials.first { $0.id.user == "alice" && $0.id.token.stem == "box_work" })
        #expect(box.id.token.service == "box_work")
        #expect(box.id.token.handle == nil)
    }

    @Test("Many users are all found, whatever the parallelism", arguments: [1, 2, 4])
    func manyUsers(parallelism: Int) async throws {
        let root = try TemporaryDirectory("engine-scan-many")
        for index in 0..<300 {
            try root.write("user\(index)/svc.top", "x")
        }
        let result = try await DirectoryScanner(root: root.path, allowSpecialCharacters: false).scanAll(parallelism: parallelism)
        #expect(result.credentials.count == 300)
        #expect(Set(result.credentials.map(\.id.user)).count == 300)
        #expect(result.users.count == 300)
    }

    @Test("A missing root is an error")
    func missingRoot() async throws {
        let root = try TemporaryDirectory()
        await #expect(throws: SystemError.self) {
            try await DirectoryScanner(root: root.file("missing"), allowSpecialCharacters: false).scanAll()
        }
    }
}
