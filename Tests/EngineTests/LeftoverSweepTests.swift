import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// A provider that issues a fixed token and revokes on removal or not, as told.
private struct VaultTestProvider: CredentialProvider {
    let profile: ProviderProfile

    init(name: String, revokes: Bool) {
        profile = ProviderProfile(name: name, kind: "vault-test",
                                  traits: ProviderTraits(allowsHandles: false, readsSeed: false, renewFraction: 0.5, revokesOnRemoval: revokes),
                                  settings: [], fingerprint: "\(name)-\(revokes)")
    }

    func fetch(_ request: CredentialRequest) async throws -> CredentialUpdate {
        CredentialUpdate(accessTokenFile: Array(#"{"access_token":"t","expires_in":3600}"#.utf8),
                         validity: TokenValidity(issuedAt: request.now, expiresAt: request.now.addingTimeInterval(3600)))
    }
    func refresh(_ request: CredentialRequest) async throws -> CredentialUpdate { try await fetch(request) }
    func revoke(_ request: RevocationRequest) async throws {}
}

/// A credential directory and state directory with a monitor on a manual clock that starts now (so that the
/// ctime of the files written by the test is "now" on it).
private final class SweepHarness: @unchecked Sendable {
    let root: TemporaryDirectory
    let credentials: String
    let state: String
    let clock: ManualWallClock
    let monitor: Monitor
    let passes = Locked(0)
    private let nextTable: Locked<ProviderTable>

    init(providers: [any CredentialProvider] = []) throws {
        root = try TemporaryDirectory("engine-sweep")
        credentials = try root.makeDirectory("creds", mode: 0o700)
        state = try root.makeDirectory("state", mode: 0o700)
        clock = ManualWallClock(start: Date())
        var configuration = MonitorConfiguration(credentialDirectory: credentials)
        configuration.watchFiles = false
        configuration.scanInterval = 1_000_000
        configuration.deepPassEvery = 1000
        configuration.stateDirectory = state
        let table = Self.table(providers)
        let nextTable = Locked(table)
        self.nextTable = nextTable
        let passes = passes
        monitor = Monitor(configuration: configuration, providers: table, clock: clock, logger: quietLogger,
                          reload: { _ in nextTable.get() }, onPassComplete: { _ in passes.update { $0 += 1 } })
    }

    static func table(_ providers: [any CredentialProvider]) -> ProviderTable {
        ProviderTable(entries: Dictionary(uniqueKeysWithValues: providers.map {
            ($0.profile.name, ProviderTable.Entry(provider: $0, file: "test:\($0.profile.name)"))
        }))
    }

    /// The table the next reload installs.
    func onReload(_ providers: [any CredentialProvider]) { nextTable.set(Self.table(providers)) }

    func path(_ relative: String) -> String { credentials + "/" + relative }

    var vault: RevocationVault { RevocationVault(stateDirectory: state) }

    /// Whether something (a symlink not followed) is at `path`.
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// Runs the monitor (workers included) around `body`, then stops it.
    func whileRunning(_ body: () async throws -> Void) async throws {
        let monitor = monitor
        let finished = Locked(false)
        let task = Task {
            try? await monitor.run()
            finished.set(true)
        }
        var failure: (any Error)?
        do { try await body() } catch { failure = error }
        monitor.requestStop()
        let clock = clock
        _ = await eventually(timeout: .seconds(20)) {
            clock.advance(by: 1)
            return finished.get()
        }
        task.cancel()
        if let failure { throw failure }
    }
}

@Suite("Leftovers: expired key files, temporary files, revocation copies")
struct LeftoverSweepTests {
    static let keyName = String(repeating: "3f9c", count: 16)

    @Test("Key file names are exactly 64 lowercase hexadecimal digits")
    func keyFileNames() {
        #expect(LeftoverFiles.isKeyFileName(Self.keyName))
        #expect(!LeftoverFiles.isKeyFileName(String(Self.keyName.dropLast())))
        #expect(!LeftoverFiles.isKeyFileName(Self.keyName + "0"))
        #expect(!LeftoverFiles.isKeyFileName(Self.keyName.uppercased()))
        #expect(!LeftoverFiles.isKeyFileName(String(Self.keyName.dropLast()) + "g"))
        #expect(LeftoverFiles.redactedKeyFileName(Self.keyName) == "3f9c3f9c…")
    }

    @Test("A key file goes in the first deep pass after it is 12 hours old by ctime, not before and not in a shallow pass")
    func expiredKeyFileRemoved() async throws {
        let harness = try SweepHarness()
        let keyFile = harness.path(Self.keyName)
        try Data("Provider = \"box\"\n".utf8).write(to: URL(fileURLWithPath: keyFile))
        await harness.monitor.fullPass()
        #expect(SweepHarness.exists(keyFile), "a fresh key file stays")
        harness.clock.advance(by: LeftoverFiles.keyFileLifetime - 60)
        await harness.monitor.fullPass(deep: true)
        #expect(SweepHarness.exists(keyFile), "11 h 59 min old: it stays")
        harness.clock.advance(by: 120)
        await harness.monitor.fullPass(deep: false)
        #expect(SweepHarness.exists(keyFile), "a shallow pass does not look")
        await harness.monitor.fullPass(deep: true)
        #expect(!SweepHarness.exists(keyFile), "12 h 1 min old: removed by the deep pass")
    }

    @Test("Only regular files with a key file's name go: symlinks (and their targets), FIFOs, directories and other names stay")
    func onlyRegularKeyFiles() async throws {
        let harness = try SweepHarness()
        let outside = try harness.root.write("outside/victim", "precious")
        let names = (link: String(repeating: "a", count: 64), fifo: String(repeating: "b", count: 64),
                     directory: String(repeating: "c", count: 64), upper: String(repeating: "D", count: 64),
                     short: String(repeating: "e", count: 63), regular: String(repeating: "f", count: 64))
        #expect(symlink(outside, harness.path(names.link)) == 0)
        #expect(mkfifo(harness.path(names.fifo), 0o600) == 0)
        #expect(mkdir(harness.path(names.directory), 0o700) == 0)
        for name in [names.upper, names.short, names.regular] {
            try Data("x".utf8).write(to: URL(fileURLWithPath: harness.path(name)))
        }
        harness.clock.advance(by: LeftoverFiles.keyFileLifetime + 1)
        let passed = Locked(false)
        let monitor = harness.monitor
        Task {
            await monitor.fullPass()
            passed.set(true)
        }
        let finished = await eventually(timeout: .seconds(20)) { passed.get() }
        if !finished { NonBlocking.releaseFIFO(harness.path(names.fifo)) }
        #expect(finished, "the pass blocked")
        #expect(!SweepHarness.exists(harness.path(names.regular)))
        for name in [names.link, names.fifo, names.directory, names.upper, names.short] {
            #expect(SweepHarness.exists(harness.path(name)), "\(name) stays")
        }
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "precious")
    }

    @Test("At start, temporary files go from $CD, the user directories, the state directory and the vault; later ones stay")
    func temporariesAtStart() async throws {
        let harness = try SweepHarness()
        let prefix = AtomicWriter.temporaryPrefix
        let root = harness.root
        let temporaries = [
            try root.write("creds/\(prefix)pid.k1", "123"),
            try root.write("creds/alice/\(prefix)scitokens.use.k2", "half"),
            try root.write("state/\(prefix)status.json.k3", "{"),
            try root.write("state/revocation/\(prefix)x.k4", ""),
            try root.write("state/revocation/alice/\(prefix)box.top.k5", "seed"),
        ]
        let kept = [
            try root.write("creds/README.credentials", "info"),
            try root.write("creds/alice/notes", "mine"),
            try root.write("state/status.json", "{}"),
            try root.write("state/revocation/alice/other.txt", "x"),
        ]
        await harness.monitor.fullPass()
        for path in temporaries { #expect(!SweepHarness.exists(path), "\(path) removed") }
        for path in kept { #expect(SweepHarness.exists(path), "\(path) kept") }

        let later = try root.write("creds/\(prefix)pid.k6", "456")
        await harness.monitor.fullPass(deep: true)
        #expect(SweepHarness.exists(later), "only the first pass sweeps temporary files (a writer may be at work)")
    }

    @Test("At start, the temporary files of a writer still at work stay (credmon-web starting beside the daemon)")
    func liveWritersKept() async throws {
        let harness = try SweepHarness()
        let prefix = AtomicWriter.temporaryPrefix
        let live = String(getppid(), radix: 36)  // the process that started the tests
        let kept = [
            try harness.root.write("creds/\(prefix)wsgi_session_key.\(live)-1", "key"),
            try harness.root.write("creds/alice/\(prefix)box.top.\(live)-2", "seed"),
        ]
        let abandoned = try harness.root.write("creds/alice/\(prefix)box.use.k7", "half")
        await harness.monitor.fullPass()
        for path in kept { #expect(SweepHarness.exists(path), "\(path) kept") }
        #expect(!SweepHarness.exists(abandoned))
    }

    @Test("Revocation copies go once their provider is gone or no longer revokes, at start and after a reload")
    func vaultPruned() async throws {
        let harness = try SweepHarness(providers: [VaultTestProvider(name: "box", revokes: true),
                                                   VaultTestProvider(name: "plain", revokes: false)])
        let vault = harness.vault
        let id = { (stem: String) in CredentialID(user: "alice", token: TokenName(service: stem)) }
        try vault.remember(id("plain"), seed: Array("p".utf8), metadata: nil)
        try vault.remember(id("gone"), seed: Array("g".utf8), metadata: Array("{}".utf8))
        try FileManager.default.createDirectory(atPath: harness.path("alice"), withIntermediateDirectories: false)
        try Data("refresh".utf8).write(to: URL(fileURLWithPath: harness.path("alice/box.top")))
        try Data("refresh".utf8).write(to: URL(fileURLWithPath: harness.path("alice/plain.top")))

        try await harness.whileRunning {
            #expect(await eventually(timeout: .seconds(60)) { harness.passes.get() >= 1 })
            #expect(await eventually(timeout: .seconds(60)) { vault.entries() == [id("box")] },
                    "the box copy is made, plain and gone are erased: \(vault.entries())")
            #expect(!SweepHarness.exists(harness.state + "/revocation/alice/gone.meta"))

            // A reload: box no longer revokes.
            harness.clock.advance(by: 2)  // past the renewal floor (one renewal a second per credential)
            harness.onReload([VaultTestProvider(name: "box", revokes: false), VaultTestProvider(name: "plain", revokes: false)])
            await harness.monitor.requestReload()
            #expect(await eventually(timeout: .seconds(60)) { harness.passes.get() >= 2 && vault.entries().isEmpty },
                    "\(vault.entries())")
            #expect(SweepHarness.exists(harness.path("alice/box.top")), "the credential itself is untouched")

            // It revokes again: the copy is made anew.
            harness.clock.advance(by: 2)
            harness.onReload([VaultTestProvider(name: "box", revokes: true)])
            await harness.monitor.requestReload()
            #expect(await eventually(timeout: .seconds(60)) { vault.entries() == [id("box")] }, "\(vault.entries())")
        }
    }
}
