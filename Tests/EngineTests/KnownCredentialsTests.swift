import Testing
@testable import Engine

@Suite("Known credentials for a deep scan")
struct KnownCredentialsTests {
    private let stamp = FileStamp(inode: 7, size: 3, modified: 11, changed: 13)

    @Test("each user's credentials are found, and only theirs, among thousands")
    func lookupByUser() {
        var byUser: [String: [KnownCredential]] = [:]
        for index in 0..<3000 {
            let services = (0...(index % 3)).map { "svc\($0)" }
            byUser["user\(index)"] = services.map { KnownCredential(token: TokenName(service: $0), seed: stamp) }
        }
        let known = KnownCredentials(byUser)
        #expect(known.count == 6000)
        for index in [0, 1, 2, 1499, 2999] {
            let found = known.credentials(of: "user\(index)").map(\.token.service).sorted()
            #expect(found == (0...(index % 3)).map { "svc\($0)" }, "user\(index)")
            #expect(known.credentials(of: "user\(index)").allSatisfy { $0.user == "user\(index)" })
        }
        #expect(Array(known.credentials(of: "nobody")).isEmpty)
        #expect(Array(KnownCredentials().credentials(of: "user0")).isEmpty)
    }

    @Test("files match only with the same stamps: a changed .top, a changed, new or gone .use, an unknown .top do not")
    func matching() throws {
        let access = FileStamp(inode: 8, size: 600, modified: 20, changed: 21)
        let known = KnownCredentials([
            "both": [KnownCredential(token: TokenName(service: "s"), seed: stamp, access: access)],
            "seedOnly": [KnownCredential(token: TokenName(service: "s"), seed: stamp)],
            "unknownSeed": [KnownCredential(token: TokenName(service: "s"), access: access)],
        ])
        let both = try #require(known.credentials(of: "both").first { _ in true })
        #expect(KnownCredentials.matches(both, seed: stamp, access: access))
        var touched = stamp
        touched.modified += 1
        #expect(!KnownCredentials.matches(both, seed: touched, access: access))
        var rewritten = access
        rewritten.inode += 1
        #expect(!KnownCredentials.matches(both, seed: stamp, access: rewritten))
        #expect(!KnownCredentials.matches(both, seed: stamp, access: nil))
        let seedOnly = try #require(known.credentials(of: "seedOnly").first { _ in true })
        #expect(KnownCredentials.matches(seedOnly, seed: stamp, access: nil))
        #expect(!KnownCredentials.matches(seedOnly, seed: stamp, access: access))
        let unknownSeed = try #require(known.credentials(of: "unknownSeed").first { _ in true })
        #expect(!KnownCredentials.matches(unknownSeed, seed: stamp, access: access))
    }
}
