import FoundationEssentials
import Glibc
import Logging

extension Monitor {
    /// Handles one credential: gathers what ``CredentialDecision`` needs (the record, the `.top`, the `.use`), and
    /// carries out its steps (the provider call, the writes, the record). Runs off the actor (file I/O and signing
    /// in parallel); only reading the record and committing the new one hop onto it.
    nonisolated func process(_ id: CredentialID) async {
        await process(await begin(id), now: clock.now())
    }

    /// Handles one assigned credential (see ``process(_:)``).
    nonisolated func process(_ assignment: Assignment, now: Date) async {
        let log = credentialLogger(assignment.id)
        switch examine(assignment, now: now, logger: log) {
        case .removed(let userDirectoryGone):
            await removed(assignment.id, provider: assignment.provider, userDirectoryGone: userDirectoryGone, logger: log)
        case .problem(let problem):
            await report(problem: problem, logger: log)
        case .decided(let step, let userDirectory):
            if let commit = prepare(step, provider: assignment.provider, in: userDirectory, logger: log) { await self.commit(commit) }
        case .renew(let renewal):
            let result = await renew(renewal, now: now, logger: log)
            let step = settle(renewal, result: result, assignment: assignment, now: now)
            if let commit = prepare(step, provider: renewal.provider, in: renewal.userDirectory, logger: log) { await self.commit(commit) }
        }
    }

    /// A credential as a worker takes it on: its provider, its record, the lifetime of the provider's credentials.
    struct Assignment: Sendable {
        var id: CredentialID
        var provider: (any CredentialProvider)?
        /// ``provider`` when it is an ``ImmediateCredentialProvider`` (``ProviderTable/Entry/immediate``).
        var immediate: (any ImmediateCredentialProvider)?
        var previous: CredentialRecord?
        var lifetime: CredentialLifetime
        /// The files as this pass's scan found them moments ago (nil: stat them now). Dropped when anything else
        /// asks for the credential meanwhile (see ``Monitor/enqueue(_:)``).
        var listed: CredentialSnapshot?
    }

    /// What the files and the decision say about a credential before any provider call.
    enum Examination {
        /// Gone: its `.top` (or its user's directory) no longer exists.
        case removed(userDirectoryGone: Bool)
        /// Skipped, with the reason to report once.
        case problem(String)
        /// Decided without the provider: a step to carry out.
        case decided(CredentialDecision.Step, DirectoryHandle)
        /// To be renewed by its provider.
        case renew(Renewal)
    }

    /// A renewal the decision asked for, with what its provider call and its settling need.
    struct Renewal: Sendable {
        var plan: CredentialDecision.Step
        var fetch: Bool
        var current: AccessTokenFile?
        var seedStamp: FileStamp
        var provider: any CredentialProvider
        var userDirectory: DirectoryHandle
    }

    /// The record, schedule and tally of a step, ready for ``commit(_:)``.
    struct Commit: Sendable {
        var record: CredentialRecord
        var scheduleAt: Date?
        var tally: CredentialDecision.Tally?
    }

    /// The logger of one credential's operation.
    nonisolated func credentialLogger(_ id: CredentialID) -> Logger {
        var log = logger
        log[metadataKey: "credmon.user"] = "\(id.user)"
        log[metadataKey: "credmon.token"] = "\(id.token.stem)"
        return log
    }

    /// Reads the credential's files (blocking) and decides, up to the provider call.
    nonisolated func examine(_ assignment: Assignment, now: Date, logger log: Logger) -> Examination {
        let id = assignment.id
        let stem = id.token.stem
        let userDirectory: DirectoryHandle
        let seedStatus: FileStatus?
        do {
            // The scan's open directory when it handed it over, else opened now.
            if let handedOver = assignment.listed?.directory {
                userDirectory = handedOver
            } else {
                userDirectory = try DirectoryHandle.open(path: configuration.credentialDirectory + "/" + id.user)
            }
            if let listed = assignment.listed {
                seedStatus = listed.seed
            } else {
                seedStatus = try FileStatus.at(userDirectory.descriptor, stem + ".top", path: userDirectory.childPath(stem + ".top"))
            }
        } catch {
            if error.errno == ENOENT || error.errno == ENOTDIR { return .removed(userDirectoryGone: true) }
            return .problem("\(error)")
        }
        guard let seedStatus else { return .removed(userDirectoryGone: false) }
        guard seedStatus.type == .regular else {
            return .problem("\(userDirectory.childPath(stem + ".top")) is not a regular file (symlinks are never followed); ignored")
        }
        var seed = CredentialDecision.Seed(stamp: seedStatus.stamp, owner: seedStatus.uid,
                                           modified: Date(timeIntervalSince1970: seedStatus.modified.epochSeconds))
        if let previous = assignment.previous, previous.state == .terminal || previous.state == .dormant,
           assignment.provider?.profile.traits.readsSeed == true {
            // Whether its `.meta` changed too: a terminal or dormant credential waits for either.
            seed.metadataStamp = (try? FileStatus.at(userDirectory.descriptor, stem + ".meta", path: ""))??.stamp
        }

        let triage = CredentialDecision.triage(assignment.previous ?? CredentialRecord(id: id), seed: seed,
                                               provider: assignment.provider, daemonUser: Self.daemonUser)
        guard triage.action == .examine, let provider = assignment.provider else { return .decided(triage, userDirectory) }
        var examined = triage.record
        let seedChanged = examined.seedStamp != seed.stamp
        if seedChanged { estimateExpiry(&examined, seed: seed, lifetime: assignment.lifetime, in: userDirectory) }
        let listedAccess: FileStatus?? = assignment.listed.map { snapshot -> FileStatus? in snapshot.access }
        let (access, current) = observeAccess(of: examined, seedChanged: seedChanged, provider: provider,
                                            listed: listedAccess, in: userDirectory, logger: log)
        let plan = CredentialDecision.plan(examined, seed: seed, access: access, provider: provider, now: now, rules: rules)
        guard case .renew(let fetch) = plan.action else { return .decided(plan, userDirectory) }
        return .renew(Renewal(plan: plan, fetch: fetch, current: current, seedStamp: seed.stamp, provider: provider,
                              userDirectory: userDirectory))
    }

    /// Settles a renewal's outcome into the step to carry out (and counts it in the metrics).
    /// A credential left terminal or dormant keeps the stamp of the `.meta` its request read: a new `.meta` (the
    /// reference web app writes it after the `.top`) is looked at as a new `.top` is.
    nonisolated func settle(_ renewal: Renewal, result: RenewalResult, assignment: Assignment, now: Date) -> CredentialDecision.Step {
        let outcome = result.outcome
        if let metrics {
            let label: MonitorMetrics.Outcome
            switch outcome {
            case .renewed: label = .success
            case .failed(let error): label = MonitorMetrics.outcome(of: error)
            }
            metrics.requestEnded(provider: renewal.provider.profile.name, outcome: label)
        }
        var record = renewal.plan.record
        if let rotatedSeedStamp = result.rotatedSeedStamp { record.seedStamp = rotatedSeedStamp }
        var step = CredentialDecision.settle(record, outcome: outcome, provider: renewal.provider, now: now,
                                             firstIssue: renewal.current == nil && assignment.previous?.lastRenewal == nil,
                                             rules: rules, lifetime: assignment.lifetime)
        let waitsForChange = step.record.state == .terminal || step.record.state == .dormant
        step.record.metadataStamp = waitsForChange ? result.metadataStamp : nil
        return step
    }

    /// The `.use` as the decision needs it, and its parsed content when it was read (the provider gets it). A `.use`
    /// whose stamp the record knows is not read again unless the `.top` changed.
    /// `listed` is the `.use`'s status as the pass's scan found it (`.some(nil)`: absent), nil to stat it now.
    nonisolated func observeAccess(of record: CredentialRecord, seedChanged: Bool, provider: any CredentialProvider,
                                   listed: FileStatus??, in userDirectory: DirectoryHandle,
                                   logger: Logger) -> (CredentialDecision.Access, AccessTokenFile?) {
        let name = record.id.token.stem + ".use"
        let observed: FileStatus?
        if let listed {
            observed = listed
        } else {
            observed = (try? FileStatus.at(userDirectory.descriptor, name, path: "")) ?? nil
        }
        guard let status = observed else { return (.absent, nil) }
        guard status.type == .regular else {
            logger.warning("The .use is not a regular file; it will be replaced", metadata: ["credmon.path": "\(userDirectory.childPath(name))"])
            return (.absent, nil)
        }
        let stamp = status.stamp
        let modified = Date(timeIntervalSince1970: status.modified.epochSeconds)
        if stamp == record.accessStamp, let known = record.validity, !seedChanged {
            return (CredentialDecision.Access(present: true, stamp: stamp, validity: known, modified: modified), nil)
        }
        do {
            guard let bytes = try userDirectory.readFile(name) else {
                return (CredentialDecision.Access(present: true, stamp: stamp, validity: nil, modified: modified), nil)
            }
            let parsed = try AccessTokenFile.parse(bytes, path: userDirectory.childPath(name))
            let validity = provider.validity(of: parsed, written: modified)
            return (CredentialDecision.Access(present: true, stamp: stamp, validity: validity, modified: modified), parsed)
        } catch let error as FormatError {
            logger.warning("Unreadable access token file; it will be replaced", metadata: ["credmon.error": "\(error)"])
        } catch {
            logger.warning("Cannot read the access token file; it will be replaced", metadata: ["credmon.error": "\(error)"])
        }
        return (CredentialDecision.Access(present: true, stamp: stamp, validity: nil, modified: modified), nil)
    }

    /// Carries out the blocking part of a step (its log line, the vault's copy); returns what to commit.
    nonisolated func prepare(_ step: CredentialDecision.Step, provider: (any CredentialProvider)?,
                             in userDirectory: DirectoryHandle, logger: Logger) -> Commit? {
        if let note = step.note { Self.log(note, provider: provider?.profile.name ?? "", logger: logger) }
        guard step.action == .record else { return nil }
        var record = step.record
        if step.keepsCopy, let provider { rememberSeed(&record, in: userDirectory, provider: provider, logger: logger) }
        return Commit(record: record, scheduleAt: step.scheduleAt, tally: step.tally)
    }

    /// Stores what ``prepare(_:provider:in:logger:)`` returned.
    func commit(_ commit: Commit) {
        self.commit(commit.record, scheduleAt: commit.scheduleAt, tally: commit.tally)
    }

    /// The provider, the record (a first-seen credential takes what ``ExpiryStore`` kept of it), and the lifetime of
    /// the provider's credentials.
    func begin(_ id: CredentialID) -> Assignment {
        let entry = table.entry(for: id.token.service)
        var record = records[id]
        if record == nil, let kept = restoredExpiry.removeValue(forKey: id) {
            var restored = CredentialRecord(id: id)
            restored.expiry = kept.expiry
            restored.expiryEstimatedForSeed = kept.estimatedForSeed
            restored.notified = kept.notified
            // What was notified is the health last known: an unchanged credential logs no new line after a restart.
            restored.health = kept.notified
            record = restored
        }
        return Assignment(id: id, provider: entry?.provider, immediate: entry?.immediate, previous: record,
                          lifetime: entry?.expiry.lifetime ?? .unknown, listed: passSnapshots.take(id))
    }

    func report(problem: String, logger: Logger) {
        reportOnce(problem) { logger.warning("Credential skipped", metadata: ["credmon.problem": "\(problem)"]) }
    }
}
