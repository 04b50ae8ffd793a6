import Foundation
import Logging
import ServiceLifecycle

/// The monitor: watches the credential directory and drives every credential through its provider's lifecycle.
///
/// A full pass runs at start, every ``MonitorConfiguration/scanInterval`` and on ``requestReload()`` (SIGHUP,
/// coalesced); inotify events are handled at once. Work runs on a bounded pool of workers, one operation per
/// credential at a time; a failure in one credential never stops the others; failing credentials back off.
/// `CREDMON_COMPLETE` is touched after every full pass. On graceful shutdown the workers finish what they are
/// doing (writes are atomic) and the monitor returns.
public actor Monitor: Service {
    let configuration: MonitorConfiguration
    let clock: any WallClock
    let logger: Logger
    let directory: CredentialDirectory
    let scanner: DirectoryScanner
    private let reloadProviders: @Sendable (ProviderTable) async -> ProviderTable?
    let passCompleteCallback: @Sendable (PassSummary) -> Void

    var table: ProviderTable
    var records: [CredentialID: CredentialRecord] = [:]
    var dueQueue = DueQueue()
    var reportedProblems: Set<String> = []
    var watcher: DirectoryWatcher?
    let vault: RevocationVault?
    var listings: DirectoryScanner.Listings = [:]
    var passCount = 0
    /// Increases with every record change (for status writers).
    public internal(set) var changeCount = 0
    var renewedSincePass = 0
    var failedSincePass = 0

    // Work queue: one operation per credential at a time.
    private var queue: [CredentialID] = []
    private var queueHead = 0
    private var queued: Set<CredentialID> = []
    private var inFlight: Set<CredentialID> = []
    private var again: Set<CredentialID> = []
    private var workWaiters: [CheckedContinuation<CredentialID?, Never>] = []
    private var passPending: Set<CredentialID> = []
    private var passWaiter: CheckedContinuation<Void, Never>?
    private var semaphores: [String: AsyncSemaphore] = [:]
    private var stopping = false
    private var reloadPending = false
    var rescanPending = false

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
        self.directory = CredentialDirectory(path: configuration.credentialDirectory)
        self.vault = configuration.stateDirectory.map(RevocationVault.init(stateDirectory:))
        self.scanner = DirectoryScanner(root: configuration.credentialDirectory,
                                        allowSpecialCharacters: configuration.allowSpecialCharacterNames)
        (passTriggers, passTrigger) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        (stopSignals, stopSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
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
    public func withRecords<T: Sendable>(_ body: @Sendable ([CredentialID: CredentialRecord]) -> T) -> T { body(records) }

    /// The providers in force.
    public func currentProviders() -> ProviderTable { table }

    /// Runs until graceful shutdown, cancellation or ``requestStop()``.
    public func run() async throws {
        if configuration.watchFiles {
            do {
                let watcher = try DirectoryWatcher(root: configuration.credentialDirectory)
                watcher.start()
                self.watcher = watcher
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
        watcher?.stop()
    }

    private func backgroundLoops() async {
        await withTaskGroup(of: Void.self) { loops in
            loops.addTask { await self.passLoop() }
            loops.addTask { await self.schedulerLoop() }
            loops.addTask { await self.periodicLoop() }
            if let watcher = self.watcher {
                loops.addTask { await self.watchLoop(watcher) }
            }
            for await _ in stopSignals { break }
            loops.cancelAll()
        }
        beginStopping()
    }

    private func beginStopping() {
        stopping = true
        passTrigger.finish()
        watcher?.stop()
        let waiters = workWaiters
        workWaiters.removeAll()
        waiters.forEach { $0.resume(returning: nil) }
        passWaiter?.resume()
        passWaiter = nil
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
        for id in records.keys where records[id]?.state == .unowned || records[id]?.state == .refused {
            records[id]?.state = .pending
        }
        logger.info("Providers reloaded", metadata: ["credmon.providers": "\(fresh.names.joined(separator: ","))"])
    }

    private func schedulerLoop() async {
        while !Task.isCancelled && !stopping {
            let now = clock.now()
            let wake = min(dueQueue.earliest ?? now.addingTimeInterval(1), now.addingTimeInterval(1))
            do { try await clock.sleep(until: wake) } catch { return }
            let current = clock.now()
            for entry in dueQueue.popDue(now: current) {
                guard let record = records[entry.id], let due = record.dueAt, due <= current else { continue }
                enqueue(entry.id)
            }
        }
    }

    private func periodicLoop() async {
        while !Task.isCancelled {
            do { try await clock.sleep(until: clock.now().addingTimeInterval(configuration.scanInterval)) } catch { return }
            passTrigger.yield()
        }
    }

    private func watchLoop(_ watcher: DirectoryWatcher) async {
        for await batch in watcher.events {
            if Task.isCancelled { return }
            handle(batch, watcher: watcher)
        }
    }

    // MARK: Work queue

    func enqueue(_ id: CredentialID) {
        if inFlight.contains(id) {
            again.insert(id)
            return
        }
        guard !queued.contains(id), !stopping else { return }
        queued.insert(id)
        if let waiter = workWaiters.popLast() {
            queued.remove(id)
            inFlight.insert(id)
            waiter.resume(returning: id)
        } else {
            queue.append(id)
        }
    }

    private func nextWork() async -> CredentialID? {
        if stopping || Task.isCancelled { return nil }
        if queueHead < queue.count {
            let id = queue[queueHead]
            queueHead += 1
            if queueHead > 1024 && queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            queued.remove(id)
            inFlight.insert(id)
            return id
        }
        return await withCheckedContinuation { workWaiters.append($0) }
    }

    private func finish(_ id: CredentialID) {
        inFlight.remove(id)
        if again.remove(id) != nil {
            enqueue(id)
            return
        }
        if passPending.remove(id) != nil, passPending.isEmpty {
            passWaiter?.resume()
            passWaiter = nil
        }
        if inFlight.isEmpty && queueHead >= queue.count && queue.count > 1024 {
            releaseQueueStorage()
        }
    }

    /// After a burst (a first pass over thousands of credentials) the queue's containers keep their capacity;
    /// give it back once everything is done.
    private func releaseQueueStorage() {
        queue = []
        queueHead = 0
        queued = []
        inFlight = []
        again = []
        passPending = []
    }

    private func workerLoop() async {
        while let id = await nextWork() {
            await process(id)
            finish(id)
        }
    }

    /// Waits until every credential in `ids` has been handled (or the monitor stops).
    func drain(_ ids: Set<CredentialID>) async {
        passPending = ids.filter { queued.contains($0) || inFlight.contains($0) }
        guard !passPending.isEmpty, !stopping else { return }
        await withCheckedContinuation { passWaiter = $0 }
    }

    func isInFlight(_ id: CredentialID) -> Bool { inFlight.contains(id) }

    func semaphore(for provider: any CredentialProvider) -> AsyncSemaphore? {
        let limit = provider.profile.traits.maxConcurrent
        guard limit < configuration.maxConcurrent else { return nil }
        if let existing = semaphores[provider.profile.name] { return existing }
        let created = AsyncSemaphore(limit: limit)
        semaphores[provider.profile.name] = created
        return created
    }

    func reportOnce(_ key: String, _ log: () -> Void) {
        if reportedProblems.insert(key).inserted { log() }
    }
}
