import Foundation
import Logging

extension Monitor {
    /// Handles one credential: decide whether it is due, and if so run its provider and write the result.
    /// Runs off the actor (file I/O and signing in parallel); only record updates hop onto it.
    nonisolated func process(_ id: CredentialID) async {
        let (provider, previous) = await begin(id)
        var record = previous ?? CredentialRecord(id: id)
        let now = clock.now()
        let userPath = configuration.credentialDirectory + "/" + id.user
        let stem = id.token.stem
        var log = logger
        log[metadataKey: "credmon.user"] = "\(id.user)"
        log[metadataKey: "credmon.token"] = "\(stem)"

        let userDirectory: DirectoryHandle
        let seedStatus: FileStatus?
        do {
            userDirectory = try DirectoryHandle.open(path: userPath)
            seedStatus = try FileStatus.at(userDirectory.descriptor, stem + ".top", path: userDirectory.childPath(stem + ".top"))
        } catch {
            if error.errno == ENOENT || error.errno == ENOTDIR {
                await removed(id, provider: provider, logger: log)
            } else {
                await report(id, problem: "\(error)", logger: log)
            }
            return
        }
        guard let seedStatus else {
            await removed(id, provider: provider, logger: log)
            return
        }
        guard seedStatus.type == .regular else {
            await report(id, problem: "\(userDirectory.childPath(stem + ".top")) is not a regular file (symlinks are never followed); ignored", logger: log)
            return
        }
        guard let provider else {
            if record.state != .unowned {
                log.debug("No provider for this service; left alone")
            }
            record.state = .unowned
            record.provider = nil
            record.seedStamp = seedStatus.stamp
            await commit(record)
            return
        }
        record.provider = provider.profile.name
        if id.token.handle != nil && !provider.profile.traits.allowsHandles {
            if record.state != .refused || record.seedStamp != seedStatus.stamp {
                log.error("Refused: this provider does not accept handles (as condor_credd refuses them)",
                          metadata: ["credmon.provider": "\(provider.profile.name)"])
            }
            record.state = .refused
            record.seedStamp = seedStatus.stamp
            record.lastError = "handles are not supported by \(provider.profile.kind) providers"
            await commit(record)
            return
        }
        if provider.profile.traits.requiresPrivilegedSeed, seedStatus.uid != 0, seedStatus.uid != Self.daemonUser {
            if record.state != .refused || record.seedStamp != seedStatus.stamp {
                log.error("Refused: this .top is not owned by root or by the daemon's user, so it was not written by condor_credd",
                          metadata: ["credmon.provider": "\(provider.profile.name)", "credmon.owner": "\(seedStatus.uid)"])
            }
            record.state = .refused
            record.seedStamp = seedStatus.stamp
            record.validity = nil
            record.lastError = "\(stem).top is owned by uid \(seedStatus.uid); \(provider.profile.kind) mints only for a .top owned by root or uid \(Self.daemonUser)"
            await commit(record)
            return
        }
        let seedChanged = record.seedStamp != seedStatus.stamp
        if record.state == .terminal || record.state == .dormant, !seedChanged, record.fingerprint == provider.profile.fingerprint { return }

        // What is there now?
        var current: AccessTokenFile?
        var validity: TokenValidity?
        var accessStatus = try? FileStatus.at(userDirectory.descriptor, stem + ".use", path: "")
        if let status = accessStatus, status.type != .regular {
            log.warning("The .use is not a regular file; it will be replaced",
                        metadata: ["credmon.path": "\(userDirectory.childPath(stem + ".use"))"])
            accessStatus = nil
        }
        if let status = accessStatus {
            if status.stamp == record.accessStamp, let known = record.validity, !seedChanged {
                validity = known
            } else {
                do {
                    if let bytes = try userDirectory.readFile(stem + ".use") {
                        let parsed = try AccessTokenFile.parse(bytes, path: userDirectory.childPath(stem + ".use"))
                        current = parsed
                        validity = parsed.validity(fileModified: Date(timeIntervalSince1970: status.modified.epochSeconds))
                    }
                } catch let error as FormatError {
                    log.warning("Unreadable access token file; it will be replaced", metadata: ["credmon.error": "\(error)"])
                } catch {
                    log.warning("Cannot read the access token file; it will be replaced", metadata: ["credmon.error": "\(error)"])
                }
            }
        }
        let unobserved = record
        record.seedStamp = seedStatus.stamp
        record.accessStamp = accessStatus?.stamp
        record.validity = validity

        // Is it due?
        let fingerprintChanged = record.fingerprint != nil && record.fingerprint != provider.profile.fingerprint
        if record.state == .failing, !seedChanged, let retry = record.dueAt, retry > now {
            await commit(record, scheduleAt: retry)
            return
        }
        if let validity, !fingerprintChanged {
            let due = provider.renewalDate(for: validity)
            if due > now {
                if record.state == .pending || record.state == .terminal || record.state == .dormant || seedChanged {
                    record.state = .valid
                    record.consecutiveFailures = 0
                    record.lastError = nil
                }
                record.fingerprint = provider.profile.fingerprint
                record.dueAt = due
                rememberSeed(&record, in: userDirectory, provider: provider, logger: log)
                await commit(record, scheduleAt: due)
                return
            }
        }

        // The renewal floor: one credential is asked for at most once a second, whatever its tokens or its .top do.
        if let last = record.lastAttempt, now.timeIntervalSince(last) < Self.renewalFloor {
            // What was seen is not recorded: the next look must still find the change that made this one due.
            var deferred = unobserved
            let retry = last.addingTimeInterval(Self.renewalFloor)
            deferred.dueAt = min(deferred.dueAt ?? retry, retry)
            await commit(deferred, scheduleAt: retry)
            return
        }
        record.lastAttempt = now

        // Renew. The provider's slot is held for the provider call only (it bounds the load on the provider); the
        // files are read before it is taken and written after it is released, so that the disk never keeps the next
        // request waiting.
        let answer: Result<CredentialUpdate, any Error>
        var request = CredentialRequest(id: id, current: current, now: now)
        do {
            if provider.profile.traits.readsSeed {
                request.seed = try userDirectory.readFile(stem + ".top").map(SeedFile.parse)
                if let metaBytes = try userDirectory.readFile(stem + ".meta") {
                    request.metadata = try ClientMetadata.parse(metaBytes, path: userDirectory.childPath(stem + ".meta"))
                }
            }
            let semaphore = await semaphore(for: provider)
            await semaphore?.acquire()
            do {
                answer = .success(try await (validity == nil && current == nil && accessStatus == nil
                    ? provider.fetch(request) : provider.refresh(request)))
            } catch {
                answer = .failure(error)
            }
            await semaphore?.release()
        } catch {
            answer = .failure(error)
        }
        let outcome: Result<CredentialUpdate, any Error>
        switch answer {
        case .success(let update) where update.validity.map({ $0.expiresAt <= now }) == true:
            // An answer whose token is already expired is a failure with backoff, not a reason to ask again at once.
            outcome = .failure(ProviderError.transient("token_already_expired",
                "the provider returned a token that expires at \(ExternalTime.epochSeconds(update.validity!.expiresAt)), not after now (\(ExternalTime.epochSeconds(now)))"))
            if let rotated = update.rotatedSeed, let stamp = await storeRotatedSeed(rotated, stem: stem, in: userDirectory, logger: log) {
                record.seedStamp = stamp
            }
        case .success(let update):
            do {
                let durability = configuration.accessTokenDurability
                let seedStamp = try await BlockingIO.shared.run {
                    try Self.store(update, stem: stem, in: userDirectory, accessTokenDurability: durability)
                }
                if let seedStamp { record.seedStamp = seedStamp }
                outcome = .success(update)
            } catch {
                outcome = .failure(error)
            }
        case .failure(let error):
            if let rotated = (error as? ProviderError)?.rotatedSeed,
               let stamp = await storeRotatedSeed(rotated, stem: stem, in: userDirectory, logger: log) {
                record.seedStamp = stamp
            }
            outcome = .failure(error)
        }

        switch outcome {
        case .success(let update):
            let written = try? FileStatus.at(userDirectory.descriptor, stem + ".use", path: "")
            let newValidity = update.validity ?? (try? AccessTokenFile.parse(update.accessTokenFile, path: ""))?
                .validity(fileModified: now)
            let wasFailing = record.state == .failing || record.state == .terminal
            record.accessStamp = written?.stamp
            record.validity = newValidity
            record.state = .valid
            record.lastRenewal = now
            record.consecutiveFailures = 0
            record.lastError = nil
            record.fingerprint = provider.profile.fingerprint
            let due = newValidity.map(provider.renewalDate(for:)) ?? now.addingTimeInterval(configuration.scanInterval)
            record.dueAt = due
            log.info(current == nil && previous?.lastRenewal == nil ? "Issued access token" : "Renewed access token", metadata: [
                "credmon.provider": "\(provider.profile.name)",
                "credmon.expires": "\(newValidity.map { String(ExternalTime.epochSeconds($0.expiresAt)) } ?? "unknown")",
            ])
            if wasFailing { log.notice("Credential recovered", metadata: ["credmon.provider": "\(provider.profile.name)"]) }
            rememberSeed(&record, in: userDirectory, provider: provider, logger: log)
            await commit(record, scheduleAt: due, renewed: true)
        case .failure(let error):
            let providerError = error as? ProviderError
            record.fingerprint = provider.profile.fingerprint
            if let providerError, providerError.disposition == .dormant {
                if record.state != .dormant {
                    log.info("Not renewed, as the credential asks; left alone until its .top changes", metadata: [
                        "credmon.provider": "\(provider.profile.name)", "credmon.reason": "\(providerError.message)",
                    ])
                }
                record.state = .dormant
                record.consecutiveFailures = 0
                record.lastError = providerError.description
                record.dueAt = nil
                rememberSeed(&record, in: userDirectory, provider: provider, logger: log)
                await commit(record)
                return
            }
            record.consecutiveFailures += 1
            record.lastError = providerError?.description ?? "\(error)"
            if providerError?.disposition == .terminal {
                if record.state != .terminal {
                    log.error("Credential needs attention; not retrying until its .top changes", metadata: [
                        "credmon.provider": "\(provider.profile.name)", "credmon.error": "\(record.lastError ?? "")",
                    ])
                }
                record.state = .terminal
                record.dueAt = nil
                await commit(record, failed: true)
            } else {
                let delay = configuration.backoff.delay(afterFailures: record.consecutiveFailures, retryAfter: providerError?.retryAfter)
                if record.state != .failing {
                    log.warning("Renewal failed; retrying with backoff", metadata: [
                        "credmon.provider": "\(provider.profile.name)", "credmon.error": "\(record.lastError ?? "")",
                        "credmon.retry_in": "\(Int(delay.rounded()))s",
                    ])
                } else {
                    log.debug("Renewal failed again", metadata: ["credmon.error": "\(record.lastError ?? "")", "credmon.failures": "\(record.consecutiveFailures)"])
                }
                record.state = .failing
                let retry = now.addingTimeInterval(delay)
                record.dueAt = retry
                await commit(record, scheduleAt: retry, failed: true)
            }
        }
    }

    /// The user this process runs as: with root, the owners of `.top` files a local issuer trusts.
    static let daemonUser = UInt32(geteuid())

    /// The least time between two requests for one credential.
    static let renewalFloor: TimeInterval = 1

    /// Writes the rotated seed of a failed operation durably, and nothing else: the answer could not be used, but its
    /// refresh token may be the only live one. Returns the new `.top`'s stamp.
    private nonisolated func storeRotatedSeed(_ seed: [UInt8], stem: String, in userDirectory: DirectoryHandle, logger: Logger) async -> FileStamp? {
        do {
            let stamp = try await BlockingIO.shared.run { () throws -> FileStamp? in
                try AtomicWriter.write(seed, to: stem + ".top", in: userDirectory, mode: 0o400, durability: .durable)
                return try FileStatus.at(userDirectory.descriptor, stem + ".top", path: userDirectory.childPath(stem + ".top"))?.stamp
            }
            logger.notice("Kept the rotated refresh token of an unusable answer")
            return stamp
        } catch {
            logger.error("Cannot store the rotated refresh token of an unusable answer", metadata: ["credmon.error": "\(error)"])
            return nil
        }
    }

    /// Writes a renewal: the rotated seed durably first (a refresh token must never be lost), then the access
    /// token. Returns the new `.top`'s stamp when the seed rotated. Blocking; run it on ``BlockingIO``.
    private static func store(_ update: CredentialUpdate, stem: String, in userDirectory: DirectoryHandle,
                              accessTokenDurability: Durability) throws -> FileStamp? {
        var seedStamp: FileStamp?
        if let rotated = update.rotatedSeed {
            try AtomicWriter.write(rotated, to: stem + ".top", in: userDirectory, mode: 0o400, durability: .durable)
            seedStamp = try FileStatus.at(userDirectory.descriptor, stem + ".top", path: userDirectory.childPath(stem + ".top"))?.stamp
        }
        try AtomicWriter.write(update.accessTokenFile, to: stem + ".use", in: userDirectory, mode: 0o400,
                               durability: accessTokenDurability)
        return seedStamp
    }

    private func begin(_ id: CredentialID) -> ((any CredentialProvider)?, CredentialRecord?) {
        (table.provider(for: id.token.service), records[id])
    }

    func commit(_ record: CredentialRecord, scheduleAt date: Date? = nil, renewed: Bool = false, failed: Bool = false) {
        records[record.id] = record
        changeCount += 1
        if let date { dueQueue.insert(record.id, at: date) }
        if renewed { renewedSincePass += 1 }
        if failed { failedSincePass += 1 }
    }

    private func report(_ id: CredentialID, problem: String, logger: Logger) {
        reportOnce(problem) { logger.warning("Credential skipped", metadata: ["credmon.problem": "\(problem)"]) }
    }

    private func forgetRecord(_ id: CredentialID) -> CredentialRecord? {
        guard let record = records.removeValue(forKey: id) else { return nil }
        changeCount += 1
        return record
    }

    /// A credential's `.top` is gone: forget it and, if its provider revokes on removal, revoke what the vault
    /// kept of it (a few attempts; what still fails is tried again at the next deep pass).
    nonisolated func removed(_ id: CredentialID, provider: (any CredentialProvider)?, logger: Logger) async {
        if await forgetRecord(id) != nil { logger.info("Credential removed") }
        guard let vault, let copy = vault.recall(id) else { return }
        guard let provider, provider.profile.traits.revokesOnRemoval else { return }
        let attempts = max(1, configuration.revocationAttempts)
        for attempt in 1...attempts {
            do {
                try await provider.revoke(RevocationRequest(id: id, seed: copy.seed, metadata: copy.metadata))
                vault.forget(id)
                logger.notice("Revoked the removed credential at its provider", metadata: ["credmon.provider": "\(provider.profile.name)"])
                return
            } catch let error as ProviderError where error.disposition == .terminal {
                vault.forget(id)
                logger.warning("The provider refused the revocation; nothing left to revoke", metadata: ["credmon.error": "\(error)"])
                return
            } catch {
                guard attempt < attempts else {
                    logger.warning("Revocation failed; it is tried again at the next deep pass", metadata: ["credmon.error": "\(error)"])
                    return
                }
                let delay = configuration.backoff.delay(afterFailures: attempt, retryAfter: (error as? ProviderError)?.retryAfter)
                try? await clock.sleep(until: clock.now().addingTimeInterval(min(delay, 30)))
            }
        }
    }

    /// Keeps the vault's copy of a credential's seed up to date (providers that revoke on removal only).
    nonisolated func rememberSeed(_ record: inout CredentialRecord, in userDirectory: DirectoryHandle, provider: any CredentialProvider, logger: Logger) {
        guard let vault, provider.profile.traits.revokesOnRemoval, let stamp = record.seedStamp, stamp != record.vaultStamp else { return }
        let stem = record.id.token.stem
        do {
            guard let seed = try userDirectory.readFile(stem + ".top") else { return }
            try vault.remember(record.id, seed: seed, metadata: try userDirectory.readFile(stem + ".meta"))
            record.vaultStamp = stamp
        } catch {
            logger.warning("Cannot keep a copy for revocation", metadata: ["credmon.error": "\(error)"])
        }
    }
}
