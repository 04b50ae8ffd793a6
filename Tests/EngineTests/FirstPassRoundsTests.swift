import Foundation
import Testing
@testable import Engine

/// A provider whose fetches wait until the test lets them go, so that a test can look at the monitor while they wait.
private final class HeldProvider: CredentialProvider, @unchecked Sendable {
    let profile: ProviderProfile
    private let lock = NSLock()
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var fetched: [CredentialID] = []

    init(name: String) {
        profile = ProviderProfile(name: name, kind: "held", traits: ProviderTraits(allowsHandles: false, readsSeed: false, renewFraction: 0.5, revokesOnRemoval: false),
                                  settings: [], fingerprint: "held-\(name)")
    }

    /// Fetches waiting to be let go.
    var heldCount: Int { lock.withLock { waiting.count } }

    /// The credentials fetched (let go), in order.
    var fetchedIDs: [CredentialID] { lock.withLock { fetched } }

    /// Lets every waiting fetch go.
    func releaseAll() {
        let released = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            defer { waiting = [] }
            return waiting
        }
        for continuation in released { continuation.resume() }
    }

    func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate {
        await withCheckedContinuation { continuation in lock.withLock { waiting.append(continuation) } }
        lock.withLock { fetched.append(request.id) }
        return ScriptedProvider.update(token: "tok-\(request.id.user)", lifetime: 100, now: request.now)
    }

    func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate { try await fetch(request) }

    func revoke(_ request: RevocationRequest) async throws {}
}

extension Monitor {
    /// How many credentials the running pass waits for.
    fileprivate var pendingInPass: Int { passPending.count }

    /// The user directories' stamps the next scan compares with.
    fileprivate var directoryStamps: DirectoryScanner.Listings { listings }
}

/// The first pass reads the user directories a round at a time and queues each round once the one before is done,
/// so that it never holds every user's snapshots, work and open directories at once.
@Suite("The first pass, in rounds")
struct FirstPassRoundsTests {
    @Test("With rounds of 3 users, the first pass over 10 waits for 3 credentials at a time, then issues them all, lists each user once and says so")
    func roundsBoundTheWork() async throws {
        let provider = HeldProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) { $0.firstPassRound = 3 }
        let users = (0..<10).map { "u\($0)" }
        for user in users { try harness.writeSeed(user, "svc") }
        try await harness.whileRunning {
            var roundSizes: [Int] = []
            for _ in 0..<4 {
                // A round's fetches all wait: the pass waits for exactly those, and no other credential is queued.
                let before = provider.fetchedIDs.count
                let expected = min(3, users.count - before)
                #expect(await eventually(timeout: .seconds(30)) { provider.heldCount == expected }, "round after \(before)")
                roundSizes.append(await harness.monitor.pendingInPass)
                provider.releaseAll()
                #expect(await eventually(timeout: .seconds(30)) { provider.fetchedIDs.count == before + expected })
            }
            #expect(roundSizes == [3, 3, 3, 1])
            #expect(await harness.waitForPasses(1))
            #expect(Set(provider.fetchedIDs.map(\.user)) == Set(users), "each user once")
            for user in users {
                #expect(accessToken(harness.text("\(user)/svc.use")) == "tok-\(user)")
            }
            let summary = try #require(harness.passSummaries.first)
            #expect(summary.processed == 10)
            #expect(summary.credentials == 10)
        }
    }

    @Test("Each round's orphaned temporary files go; an invalid credential name is ignored; every valid credential is issued")
    func roundsSweepAndReport() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) { $0.firstPassRound = 2 }
        for index in 0..<7 { try harness.writeSeed("u\(index)", "svc") }
        let prefix = AtomicWriter.temporaryPrefix
        let orphans = ["u1/\(prefix)svc.use.k1", "u6/\(prefix)svc.use.k2"]
        for orphan in orphans { try Data("half".utf8).write(to: URL(fileURLWithPath: harness.path(orphan))) }
        try harness.writeSeed("u4", "bad_")  // not a valid credential name: a problem, ignored
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            for orphan in orphans { #expect(!harness.exists(orphan), "\(orphan) removed") }
            for index in 0..<7 { #expect(await harness.record("u\(index)", "svc")?.state == .valid, "u\(index)") }
            #expect(await harness.record("u4", "bad_") == nil)
            #expect(harness.passSummaries.first?.processed == 7)
            #expect(provider.totalCalls == 7)
        }
    }

    @Test("A scan of everything in one round (the scanner's own first scan) finds what the rounds find together")
    func roundsMatchOneScan() async throws {
        let root = try userTree(users: 9, label: "engine-rounds")
        try root.write("u3/other.top", "x")
        let scanner = DirectoryScanner(root: root.path, allowSpecialCharacters: false)
        let (whole, listings) = try await scanner.scan(parallelism: 2, stampDirectories: false)
        #expect(listings.isEmpty)
        let (handle, rootScan) = try scanner.listRootForRounds()
        #expect(rootScan.userList.count == 9)
        #expect(rootScan.rootListing?.users == rootScan.userList)
        var together = DirectoryScanner.Result()
        for start in stride(from: 0, to: 9, by: 4) {
            let slice = rootScan.userList[start..<min(9, start + 4)]
            let round = await scanner.scanRound(slice, root: handle, parallelism: 2, handOverLimit: 2, watcher: nil)
            #expect(round.listed == Set(slice))
            #expect(round.credentials.filter { $0.directory != nil }.map(\.id.user).count <= 3, "at most the limit's users, two credentials for u3")
            together.absorb(round)
        }
        let ids = { (result: DirectoryScanner.Result) in Set(result.credentials.map { "\($0.id.user)/\($0.id.token.stem)" }) }
        #expect(ids(together) == ids(whole))
        #expect(together.credentials.count == 10)
        #expect(together.listed == whole.listed)
    }
}

/// The pass after the first (which takes no stamps) lists every directory again: in rounds too, keeping only the
/// hashes of what it found.
@Suite("The pass that lists everything again, in rounds")
struct RelistingRoundsTests {
    @Test("Without events, the pass after the first (rounds of 2) finds a removed .top, a removed user and a new user, and leaves every directory's stamp")
    func findsWhatChanged() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) {
            $0.firstPassRound = 2
            $0.watchFiles = false
        }
        let users = (0..<5).map { "u\($0)" }
        for user in users { try harness.writeSeed(user, "svc") }
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            for user in users { #expect(await harness.record(user, "svc")?.state == .valid, "\(user)") }
            #expect(await harness.monitor.directoryStamps.isEmpty, "the first pass takes no stamps")
            try FileManager.default.removeItem(atPath: harness.path("u2/svc.top"))
            try FileManager.default.removeItem(atPath: harness.path("u4"))
            try harness.writeSeed("u5", "svc")
            #expect(await harness.pass(after: 1, reaching: 2))
            #expect(await harness.waitForRecord("u5", "svc") { $0.state == .valid })
            #expect(await eventually { await harness.record("u2", "svc") == nil }, "its .top is gone")
            #expect(await eventually { await harness.record("u4", "svc") == nil }, "its directory is gone")
            for user in ["u0", "u1", "u3"] { #expect(await harness.record(user, "svc")?.state == .valid, "\(user)") }
            let stamps = await harness.monitor.directoryStamps
            #expect(Set(stamps.keys) == ["u0", "u1", "u2", "u3", "u5"])
        }
    }

    @Test("While most directories changed within two seconds of their listing (rounds of 2, 5 users), a pass lists them all in rounds; once they are older, one compares with their stamps")
    func racyListingsRelistedInRounds() async throws {
        let provider = ScriptedProvider(name: "svc")
        let harness = try MonitorHarness(providers: [provider]) {
            $0.firstPassRound = 2
            $0.watchFiles = false
            $0.deepPassEvery = 1000
        }
        let users = (0..<5).map { "u\($0)" }
        for user in users { try harness.writeSeed(user, "svc") }
        try await harness.whileRunning {
            #expect(await harness.waitForPasses(1))
            #expect(await harness.pass(after: 0, reaching: 2))
            #expect(await harness.monitor.relistingPasses == 1, "the first pass took no stamps")
            // The first pass wrote every .use just now by the monitor's clock: every directory is racy.
            #expect(await harness.monitor.mostDirectoriesRacy())
            #expect(await harness.pass(after: 0, reaching: 3))
            #expect(await harness.monitor.relistingPasses == 2, "most directories racy")
            #expect(Set(await harness.monitor.directoryStamps.keys) == Set(users))
            // 30 s on by the monitor's clock (the files' times are real: a loaded machine may have written them
            // seconds after the clock's start); the tokens (100 s) are not due yet.
            #expect(await harness.pass(after: 30, reaching: 4))
            #expect(await harness.monitor.relistingPasses == 2, "settled: compared with the stamps")
            for user in users { #expect(await harness.record(user, "svc")?.state == .valid, "\(user)") }
            #expect(provider.totalCalls == 5, "each credential issued once")
        }
    }

    @Test("HashMarks: what was marked is found, in any order; what was not is not")
    func hashMarks() {
        var marks = HashMarks()
        var generator = SplitMix64(seed: 13)
        let marked = (0..<2000).map { _ in CredentialID(user: "u\(generator.next() % 100_000)", token: TokenName(service: "svc")) }
        for id in marked { marks.mark(id) }
        #expect(marks.count == Set(marked).count)
        for id in marked.shuffled() { #expect(marks.contains(id)) }
        let others = (0..<2000).map { CredentialID(user: "x\($0)", token: TokenName(service: "svc")) }
        #expect(others.filter { marks.contains($0) }.isEmpty)
        marks.mark(others[0])
        #expect(marks.contains(others[0]), "a mark after a look is found too")
    }
}
