import FoundationEssentials
import Glibc
import Logging

extension Monitor {
    /// Handles one credential: gathers what ``CredentialDecision`` needs (the record, the `.top`, the `.use`), and
    /// carries out its steps (the provider call, the writes, the record). Runs off the actor (file I/O and signing
    /// in parallel); only reading the record and committing the new one hop onto it.
    nonisolated func process(_ id: CredentialID) async {
        let (provider, previous, lifetime) = await begin(id)
        let now = clock.now()
        let stem = id.token.stem
        var log = logger
        log[metadataKey: "credmon.user"] = "\(id.user)"
        log[metadataKey: "credmon.token"] = "\(stem)"

        let userDirectory: DirectoryHandle
        let seedStatus: FileStatus?
        do {
            userDirectory = try DirectoryHandle.open(path: configuration.credentialDirectory + "/" + id.user)
            seedStatus = try FileStatus.at(userDirectory.descriptor, stem + ".top", path: userDirectory.childPath(stem + ".top"))
        } catch {
            if error.errno == ENOENT || error.errno == ENOTDIR {
                await removed(id, provider: provider, userDirectoryGone: true, logger: log)
            } else {
                await report(problem: "\(error)", logger: log)
            }
            return
        }
        guard let seedStatus else {
            await removed(id, provider: provider, logger: log)
            return
        }
        guard seedStatus.type == .regular else {
            await report(problem: "\(userDirectory.childPath(stem + ".top")) is not a regular file (symlinks are never followed); ignored", logger: log)
            return
        }
        let seed = CredentialDecision.Seed(stamp: seedStatus.stamp, owner: seedStatus.uid,
                                           modified: Date(timeIntervalSince1970: seedStatus.modified.epochSeconds))

        let triage = CredentialDecision.triage(previous ?? CredentialRecord(id: id), seed: seed, provider: provider,
                                               daemonUser: Self.daemonUser)
        guard triage.action == .examine, let provider else {
            await carryOut(triage, provider: provider, in: userDirectory, logger: log)
            return
        }
        var examined = triage.record
        let seedChanged = examined.seedStamp != seed.stamp
        if seedChanged { estimateExpiry(&examined, seed: seed, lifetime: lifetime, in: userDirectory) }
        let (access, current) = observeAccess(of: examined, seedChanged: seedChanged, provider: provider,
                                            in: userDirectory, logger: log)
        let plan = CredentialDecision.plan(examined, seed: seed, access: access, provider: provider, now: now, rules: rules)
        guard case .renew(let fetch) = plan.action else {
            await carryOut(plan, provider: provider, in: userDirectory, logger: log)
            return
        }
        let (outcome, rotatedSeedStamp) = await renew(plan.record.id, fetch: fetch, current: current, seedStamp: seed.stamp,
                                                       provider: provider, in: userDirectory, now: now, logger: log)
        if let metrics {
            let label: MonitorMetrics.Outcome
            switch outcome {
            case .renewed: label = .success
            case .failed(let error): label = MonitorMetrics.outcome(of: error)
            }
            metrics.requestEnded(provider: provider.profile.name, outcome: label)
        }
        var record = plan.record
        if let rotatedSeedStamp { record.seedStamp = rotatedSeedStamp }
        let settled = CredentialDecision.settle(record, outcome: outcome, provider: provider, now: now,
                                                firstIssue: current == nil && previous?.lastRenewal == nil, rules: rules,
                                                lifetime: lifetime)
        await carryOut(settled, provider: provider, in: userDirectory, logger: log)
    }

    /// The `.use` as the decision needs it, and its parsed content when it was read (the provider gets it). A `.use`
    /// whose stamp the record knows is not read again unless the `.top` changed.
    nonisolated func observeAccess(of record: CredentialRecord, seedChanged: Bool, provider: any CredentialProvider,
                                   in userDirectory: DirectoryHandle, logger: Logger) -> (CredentialDecision.Access, AccessTokenFile?) {
        let name = record.id.token.stem + ".use"
        guard let status = try? FileStatus.at(userDirectory.descriptor, name, path: "") else { return (.absent, nil) }
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

    /// Carries out a step: its log line, the vault's copy, the record.
    private nonisolated func carryOut(_ step: CredentialDecision.Step, provider: (any CredentialProvider)?,
                                      in userDirectory: DirectoryHandle, logger: Logger) async {
        if let note = step.note { Self.log(note, provider: provider?.profile.name ?? "", logger: logger) }
        guard step.action == .record else { return }
        var record = step.record
        if step.keepsCopy, let provider { rememberSeed(&record, in: userDirectory, provider: provider, logger: logger) }
        await commit(record, scheduleAt: step.scheduleAt, tally: step.tally)
    }

    /// The provider, the record (a first-seen credential takes what ``ExpiryStore`` kept of it), and the lifetime of
    /// the provider's credentials.
    private func begin(_ id: CredentialID) -> ((any CredentialProvider)?, CredentialRecord?, CredentialLifetime) {
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
        return (entry?.provider, record, entry?.expiry.lifetime ?? .unknown)
    }

    private func report(problem: String, logger: Logger) {
        reportOnce(problem) { logger.warning("Credential skipped", metadata: ["credmon.problem": "\(problem)"]) }
    }
}
