import FoundationEssentials
import Glibc
import Logging
import ServiceLifecycle

/// The monitor: watches the credential directory and drives every credential through its provider's lifecycle.
///
/// A full pass runs at start, every ``MonitorConfiguration/scanInterval`` and on ``requestReload()`` (SIGHUP,
/// coalesced); inotify events are handled at once (`Monitor+Events.swift`). Due dates wake the scheduler
/// (`Scheduler.swift`); work runs on a bounded pool of workers, one operation per credential at a time
/// (`WorkQueue.swift`); each operation is a pure decision (`CredentialDecision`) and its effects
/// (`Monitor+Process.swift`). A failure in one credential never stops the others; failing credentials back off.
/// `CREDMON_COMPLETE` is touched after every full pass. Changes are published on ``changes()``. On graceful
/// shutdown the workers finish what they are doing (writes are atomic), the helpers it owns (the directory watcher,
/// the blocking-I/O pool) are shut down, and the monitor returns.
public actor Monitor: Service {
    let configuration: MonitorConfiguration
    let clock: any WallClock
    let logger: Logger
    let directory: CredentialDirectory
    let scanner: DirectoryScanner
    let vault: RevocationVault?
    /// Where the workers' writes begin (see ``StagingDirectory``); nil: beside their targets.
    let staging: DirectoryHandle?
    let removal: CredentialRemoval
    let rules: CredentialDecision.Rules
    /// The threads that wait for the disk (fsync), owned by this monitor and shut down when ``run()`` returns.
    let io = BlockingIO(threads: 16)
    private let reloadProviders: @Sendable (ProviderTable) async -> ProviderTable?
    let passCompleteCallback: @Sendable (PassSummary) -> Void
    /// Nil unless ``MonitorConfiguration/metrics`` is on.
    let metrics: MonitorMetrics?

    var table: ProviderTable
    var records = RecordStore()
    var scheduler = Scheduler()
    var workQueue = WorkQueue()
    var reportedProblems: Set<String> = []
    var watcher: DirectoryWatcher?
    var listings: DirectoryScanner.Listings = [:]
    /// The last scan's listing of the credential directory itself (its users), reused while its stamp holds.
    var rootListing: DirectoryScanner.RootListing?
    var passCount = 0
    /// Passes that listed every user directory in rounds after the first pass (see ``relistingPassInRounds(deep:started:)``).
    var relistingPasses = 0
    var passRunning = false
    /// Increases with every record change (see ``changes()``).
    public internal(set) var changeCount = 0
    var changeSubscribers: [AsyncStream<Void>.Continuation] = []
    var idleWaiters: [CheckedContinuation<Void, Never>] = []
    var renewedSincePass = 0
    var failedSincePass = 0
    var passPending: Set<CredentialID> = []
    /// The pass waiting on ``passPending`` resumes once no more than this many are left (see ``drain(_:leaving:)``).
    var passResumesAt = 0
    /// Credentials whose `.use` changed while a worker had them (see ``settleAccessEventWhileBusy(_:)``).
    var accessEventsWhileBusy: [CredentialID: AccessEventWhileBusy] = [:]
    /// The files of credentials queued by a pass, as its scan found them (see ``enqueuePass(_:listed:)``).
    var passSnapshots = PassSnapshots()
    var passWaiter: CheckedContinuation<Void, Never>?
    var semaphores: [String: AsyncSemaphore] = [:]
    var stopping = false
    /// Notifications decided and not yet sent (``expiryLoop()`` sends them after writing the store).
    var pendingNotices: [(Notice, NotifyCommand)] = []
    /// Whether ``ExpiryStore`` must be written.
    var expiryStoreDirty = false
    /// What ``ExpiryStore`` kept from before the start, taken by each credential when first seen.
    var restoredExpiry: [CredentialID: ExpiryStore.Entry] = [:]
    nonisolated let expiryTriggers: AsyncStream<Void>
    nonisolated let expiryTrigger: AsyncStream<Void>.Continuation
    private var reloadPending = false
    var rescanPending = false
    /// The credential directory's own status before the last scan that listed it (see ``eventsSuffice(deep:)``).
    var rootStampAtScan: FileStamp?

    private nonisolated let passTriggers: AsyncStream<Void>
    private nonisolated let passTrigger: AsyncStream<Void>.Continuation
    private nonisolated let stopSignals: AsyncStream<Void>
    private nonisolated let stopSignal: AsyncStream<Void>.Continuation

    /// - Parameters:
    ///   - providers: the provider table in force at start.
    ///   - reload: builds a new table on SIGHUP from the current one (nil keeps the current one); it reports its
    ///     own errors.
    ///   - onPassComplete: called after every full pass with its figures.
    public init(
        configuration: MonitorConfiguration,
        providers: ProviderTable,
        clock: any WallClock = SystemWallClock(),
        logger: Logger,
        reload: @escaping @Sendable (ProviderTable) async -> ProviderTable? = { _ in nil },
        onPassComplete: @escaping @Sendable (PassSummary) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.table = providers
        self.reloadProviders = reload
        self.passCompleteCallback = onPassComplete
        self.metrics = configuration.metrics ? MonitorMetrics() : nil
        self.directory = CredentialDirectory(path: configuration.credentialDirectory)
        self.vault = configuration.stateDirectory.map(RevocationVault.init(stateDirectory:))
        self.staging = configuration.stateDirectory.flatMap {
            StagingDirectory.open(stateDirectory: $0, credentialDirectory: configuration.credentialDirectory)
        }
        self.removal = CredentialRemoval(credentialDirectory: configuration.credentialDirectory, vault: vault)
        self.scanner = DirectoryScanner(root: configuration.credentialDirectory,
                                        allowSpecialCharacters: configuration.allowSpecialCharacterNames)
        self.rules = CredentialDecision.Rules(renewalFloor: Self.renewalFloor, webLoginWait: configuration.webLoginWait,
                                              backoff: configuration.backoff, unknownLifetimeRecheck: configuration.scanInterval)
        (passTriggers, passTrigger) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (stopSignals, stopSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (expiryTriggers, expiryTrigger) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        if let stateDirectory = configuration.stateDirectory {
            do {
                restoredExpiry = try ExpiryStore.read(from: stateDirectory, credentialDirectory: configuration.credentialDirectory,
                                                      allowSpecialCharacters: configuration.allowSpecialCharacterNames)
            } catch {
                logger.warning("Cannot read the expiry store; expiries are estimated anew", metadata: ["credmon.error": "\(error)"])
            }
        }
    }

    /// Re-reads the providers and runs a full pass (SIGHUP). Several requests while a pass runs make one more pass.
    public func requestReload() {
        reloadPending = true
        passTrigger.yield()
    }

    /// Asks for a full pass soon.
    public nonisolated func requestPass() { passTrigger.yield() }

    /// Asks the monitor to stop: workers finish their current operation, then ``run()`` returns.
    public nonisolated func requestStop() { stopSignal.yield() }

    /// Every credential the monitor knows, sorted.
    public func currentRecords() -> [CredentialRecord] { records.values.sorted { $0.id < $1.id } }

    /// Runs `body` on the monitor with every record (no copy), e.g. to write a status file.
    public func withRecords<T: Sendable>(_ body: @Sendable (RecordStore) -> T) -> T { body(records) }

    /// The providers in force.
    public func currentProviders() -> ProviderTable { table }

    /// Runs until graceful shutdown, cancellation or ``requestStop()``.
    public func run() async throws {
        if configuration.watchFiles {
            do {
                watcher = try DirectoryWatcher(root: configuration.credentialDirectory)
            } catch {
                logger.warning("Cannot watch the credential directory; relying on periodic passes",
                               metadata: ["credmon.error": "\(error)"])
            }
        }
        passTrigger.yield()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<max(1, configuration.maxConcurrent) {
                    group.addTask { await self.workerLoop() }
                }
                group.addTask { await self.backgroundLoops() }
            }
        } onGracefulShutdown: {
            self.requestStop()
        }
        await watcher?.shutdown()
        await flushExpiryStore()
        io.shutdown()
    }

    private func backgroundLoops() async {
        await withTaskGroup(of: Void.self) { loops in
            loops.addTask { await self.passLoop() }
            loops.addTask { await self.schedulerLoop() }
            loops.addTask { await self.periodicLoop() }
            loops.addTask { await self.expiryLoop() }
            if let watcher = self.watcher {
                loops.addTask { await watcher.run() }
                loops.addTask { await self.watchLoop(watcher) }
            }
            for await _ in stopSignals { break }
            beginStopping()
            loops.cancelAll()
        }
    }

    private func beginStopping() {
        stopping = true
        passTrigger.finish()
        expiryTrigger.finish()
        watcher?.stop()
        workQueue.stop()
        scheduler.wake()
        passWaiter?.resume()
        passWaiter = nil
        checkIdle()
    }

    // MARK: Loops

    private func passLoop() async {
        for await _ in passTriggers {
            if Task.isCancelled || stopping { return }
            let deep = reloadPending || rescanPending
            rescanPending = false
            if reloadPending {
                reloadPending = false
                await reload()
            }
            _ = await fullPass(deep: deep)
            if configuration.once { requestStop() }
        }
    }

    private func reload() async {
        guard let fresh = await reloadProviders(table) else { return }
        table = fresh
        records.updateEach { record in
            if record.state == .unowned || record.state == .refused { record.state = .pending }
        }
        logger.info("Providers reloaded", metadata: ["credmon.providers": "\(fresh.names.joined(separator: ","))"])
    }

    private func periodicLoop() async {
        while !Task.isCancelled {
            do { try await clock.sleep(until: clock.now().addingTimeInterval(configuration.scanInterval)) } catch { return }
            passTrigger.yield()
        }
    }

    func reportOnce(_ key: String, _ log: () -> Void) {
        if reportedProblems.insert(key).inserted { log() }
    }

    /// The user this process runs as: with root, the owners of `.top` files a local issuer trusts.
    static let daemonUser = UInt32(geteuid())

    /// The least time between two requests for one credential.
    static let renewalFloor: TimeInterval = 1
}
