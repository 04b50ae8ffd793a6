import Foundation
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

/// A monitor on a temporary credential directory, driven by a manual clock.
final class MonitorHarness: @unchecked Sendable {
    let root: TemporaryDirectory
    let credentialDirectory: String
    let clock: ManualWallClock
    let start: Date
    let monitor: Monitor
    let configuration: MonitorConfiguration
    private let passCount = Locked(0)
    private let summaries = Locked<[PassSummary]>([])
    private let finished = Locked(false)
    private let task = Locked<Task<Void, Never>?>(nil)

    /// - Parameter reloaded: the providers a reload (SIGHUP) puts in place; nil: a reload keeps the table.
    init(providers: [any CredentialProvider], reloaded: [any CredentialProvider]? = nil,
         configure: (inout MonitorConfiguration) -> Void = { _ in }) throws {
        root = try TemporaryDirectory("engine-monitor")
        credentialDirectory = try root.makeDirectory("creds", mode: 0o700)
        start = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded())
        clock = ManualWallClock(start: start)
        var configuration = MonitorConfiguration(credentialDirectory: credentialDirectory)
        configuration.watchFiles = true
        configuration.scanInterval = 1_000_000
        configure(&configuration)
        self.configuration = configuration
        let table = Self.table(providers)
        let passes = passCount, summaries = summaries
        monitor = Monitor(configuration: configuration, providers: table, clock: clock, logger: quietLogger,
                          reload: { [reloadedTable = reloaded.map(Self.table)] _ in reloadedTable },
                          onPassComplete: { summary in
                              summaries.update { $0.append(summary) }
                              passes.update { $0 += 1 }
                          })
    }

    private static func table(_ providers: [any CredentialProvider]) -> ProviderTable {
        ProviderTable(entries: Dictionary(uniqueKeysWithValues: providers.map {
            ($0.profile.name, ProviderTable.Entry(provider: $0, file: "test:\($0.profile.name)"))
        }))
    }

    /// Full passes completed so far.
    var passes: Int { passCount.get() }
    /// Their summaries, in order.
    var passSummaries: [PassSummary] { summaries.get() }
    /// Whether `run()` has returned.
    var hasFinished: Bool { finished.get() }

    /// Path of a file in the credential directory.
    func path(_ relative: String) -> String { credentialDirectory + "/" + relative }

    /// Writes `<user>/<stem>.top` (creating the user directory, mode 0700).
    func writeSeed(_ user: String, _ stem: String, _ content: String? = nil) throws {
        let directory = path(user)
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
            #expect(chmod(directory, 0o700) == 0)
        }
        try Data((content ?? "\(user)@foo").utf8).write(to: URL(fileURLWithPath: path("\(user)/\(stem).top")))
    }

    /// The text of a file in the credential directory.
    func text(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path(relative)).map { String(decoding: $0, as: UTF8.self) }
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// Starts `run()` in a task.
    func startMonitor() {
        let monitor = monitor, finished = finished
        task.set(Task {
            try? await monitor.run()
            finished.set(true)
        })
    }

    /// The record of `<user>/<stem>`.
    func record(_ user: String, _ stem: String) async -> CredentialRecord? {
        await monitor.currentRecords().first { $0.id.user == user && $0.id.token.stem == stem }
    }

    /// Waits until the record of `<user>/<stem>` satisfies `condition`.
    func waitForRecord(_ user: String, _ stem: String, timeout: Duration = .seconds(60), _ condition: @escaping (CredentialRecord) -> Bool) async -> Bool {
        await eventually(timeout: timeout) {
            guard let record = await self.record(user, stem) else { return false }
            return condition(record)
        }
    }

    /// Waits until `passes` reaches `count`.
    func waitForPasses(_ count: Int) async -> Bool {
        await eventually { self.passes >= count }
    }

    /// Moves the manual clock `seconds` on, asks for a pass and waits until `count` passes have run.
    func pass(after seconds: TimeInterval, reaching count: Int) async -> Bool {
        clock.advance(by: seconds)
        monitor.requestPass()
        return await waitForPasses(count)
    }

    /// Asks the monitor to stop and waits for `run()` to return, moving the manual clock along if it has to
    /// (so that a stuck test never hangs the suite). Returns whether it stopped without the clock moving.
    @discardableResult
    func stop(graceWithoutClock: Duration = .milliseconds(500)) async -> Bool {
        monitor.requestStop()
        if await eventually(timeout: graceWithoutClock, { self.hasFinished }) { return true }
        let clock = clock, interval = configuration.scanInterval
        _ = await eventually(timeout: .seconds(20)) {
            clock.advance(by: interval * 2)
            return self.hasFinished
        }
        task.get()?.cancel()
        return false
    }

    /// Runs `body` with the monitor running, and stops it afterwards whatever happens.
    func whileRunning(_ body: () async throws -> Void) async throws {
        startMonitor()
        do {
            try await body()
        } catch {
            await stop()
            throw error
        }
        await stop()
        #expect(hasFinished, "run() returned")
    }

    /// Every temporary file below the credential directory.
    func temporaryFiles() -> [String] {
        Files.allNames(below: credentialDirectory).filter { ($0 as NSString).lastPathComponent.hasPrefix(AtomicWriter.temporaryPrefix) }
    }
}

/// Parses a `.use` the monitor wrote.
func accessToken(_ text: String?) -> String? {
    guard let text else { return nil }
    return try? AccessTokenFile.parse(Array(text.utf8), path: "use").accessToken
}
