import FoundationEssentials
import Logging

extension Monitor {
    /// Handles a worker's batch of credentials. Those of an ``ImmediateCredentialProvider`` are handled together on
    /// ``BlockingIO`` (their file checks, decisions, tokens and writes: one hand-off to the pool and one hop onto the
    /// actor for the whole batch, so a slow disk blocks a pool thread and never the monitor or the HTTP answers); the
    /// others one after another as ``process(_:)`` does.
    nonisolated func processBatch(_ ids: [CredentialID]) async {
        let assignments = await begin(ids)
        if assignments.allSatisfy({ $0.immediate != nil }) { return await processImmediately(assignments) }
        await processMixed(assignments)
    }

    /// A batch with credentials of other providers. Apart from ``processBatch(_:)``, whose frame every worker keeps
    /// (a task keeps its deepest frames' memory until it ends): the `async let` takes 4.5 KiB of it, 0.3 MB for 64
    /// workers that mostly handle immediate batches.
    @inline(never)
    private nonisolated func processMixed(_ assignments: [Assignment]) async {
        var immediate: [Assignment] = []
        var others: [Assignment] = []
        for assignment in assignments {
            if assignment.immediate != nil { immediate.append(assignment) } else { others.append(assignment) }
        }
        // The others do not wait for the pool: a slow disk under the immediate ones holds up only them.
        async let immediateDone: Void = processImmediately(immediate)
        for assignment in others { await process(assignment, now: clock.now()) }
        await immediateDone
    }

    /// Handles credentials of ``ImmediateCredentialProvider``s together on ``BlockingIO``, then carries out on the
    /// actor what they left (one hop for all), and last the removals (which may revoke). What the pool returned is
    /// looked at in a synchronous method: an async function keeps every value it holds across an `await` in its
    /// frame, and a frame's memory stays with the worker's task (a result holds a whole record).
    private nonisolated func processImmediately(_ assignments: [Assignment]) async {
        guard !assignments.isEmpty else { return }
        let now = clock.now()
        // The batch's log lines (one per token issued) go out in one write when it ends.
        let handled = await onBlockingIO { HeldLogLines.collecting { assignments.map { self.handleImmediately($0, now: now) } } }
        let removals = await settleImmediately(assignments, handled)
        for (index, userDirectoryGone) in removals {
            let assignment = assignments[index]
            await removed(assignment.id, provider: assignment.provider, userDirectoryGone: userDirectoryGone,
                          logger: credentialLogger(assignment.id))
        }
    }

    /// Commits what the pool left for the actor and reports the problems; returns the removals (positions in
    /// `assignments`, and whether the user's directory went).
    private func settleImmediately(_ assignments: [Assignment], _ handled: [ImmediateResult]) -> [(index: Int, userDirectoryGone: Bool)] {
        var removals: [(index: Int, userDirectoryGone: Bool)] = []
        for (index, result) in handled.enumerated() {
            switch result {
            case .commit(let commit): self.commit(commit)
            case .nothing: break
            case .removed(let userDirectoryGone): removals.append((index, userDirectoryGone))
            case .problem(let problem): report(problem: problem, logger: credentialLogger(assignments[index].id))
            }
        }
        return removals
    }

    /// What handling a credential on the pool leaves for the actor.
    enum ImmediateResult: Sendable {
        case commit(Commit)
        case nothing
        case removed(userDirectoryGone: Bool)
        case problem(String)
    }

    /// ``process(_:now:)`` for a credential of an ``ImmediateCredentialProvider``, blocking, without the actor.
    private nonisolated func handleImmediately(_ assignment: Assignment, now: Date) -> ImmediateResult {
        let log = credentialLogger(assignment.id)
        switch examine(assignment, now: now, logger: log) {
        case .removed(let userDirectoryGone):
            return .removed(userDirectoryGone: userDirectoryGone)
        case .problem(let problem):
            return .problem(problem)
        case .decided(let step, let userDirectory):
            return prepare(step, provider: assignment.provider, in: userDirectory, logger: log).map(ImmediateResult.commit) ?? .nothing
        case .renew(let renewal):
            guard let provider = assignment.immediate else { return .nothing }
            let result = renewImmediately(renewal, provider: provider, now: now, logger: log)
            let step = settle(renewal, result: result, assignment: assignment, now: now)
            return prepare(step, provider: provider, in: renewal.userDirectory, logger: log).map(ImmediateResult.commit) ?? .nothing
        }
    }

    /// ``begin(_:)`` for a batch: one hop onto the actor.
    func begin(_ ids: [CredentialID]) -> [Assignment] { ids.map { begin($0) } }
}
