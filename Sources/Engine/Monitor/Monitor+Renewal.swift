import FoundationEssentials
import Logging

extension Monitor {
    /// What came of a renewal, for ``settle(_:result:assignment:now:)``.
    struct RenewalResult: Sendable {
        var outcome: CredentialDecision.Outcome
        /// The new `.top`'s stamp when a rotated seed was written (also that of a failed or unusable answer: its
        /// refresh token may be the only live one).
        var rotatedSeedStamp: FileStamp?
        /// The `.meta` as the provider's request read it (nil: none, or not read).
        var metadataStamp: FileStamp?
    }

    /// Asks the provider for a token (`fetch` or `refresh`) and writes what it answers with ``CredentialFiles`` (the
    /// one writer of the on-disk contract, credmon-web's too): the effects of a
    /// ``CredentialDecision/Action/renew(fetch:)``.
    ///
    /// The provider's slot is held for the provider call only (it bounds the load on the provider); the files are
    /// read before it is taken and written after it is released (on ``BlockingIO``), so that the disk never keeps the
    /// next request waiting.
    nonisolated func renew(_ renewal: Renewal, now: Date, logger: Logger) async -> RenewalResult {
        let provider = renewal.provider, userDirectory = renewal.userDirectory
        let id = renewal.plan.record.id
        let stem = id.token.stem
        let answer: Result<CredentialUpdate, any Error>
        var request = CredentialRequest(id: id, current: renewal.current, now: now)
        var metadataStamp: FileStamp?
        do {
            if provider.profile.traits.readsSeed {
                request.seed = try userDirectory.readFile(stem + ".top").map(SeedFile.parse)
                if let meta = try SafeFile.read(stem + ".meta", in: userDirectory) {
                    metadataStamp = meta.status.stamp
                    request.metadata = try ClientMetadata.parse(meta.bytes, path: userDirectory.childPath(stem + ".meta"))
                }
                if provider.profile.traits.readsParentSeed, let parent = id.token.parentStem {
                    request.parentSeed = (try? userDirectory.readFile(parent + ".top")).flatMap { $0.map(SeedFile.parse) }
                }
            }
            let semaphore = await semaphore(for: provider)
            await semaphore?.acquire()
            let started = ContinuousClock.now
            do {
                answer = .success(try await (renewal.fetch ? provider.fetch(request) : provider.refresh(request)))
            } catch {
                answer = .failure(error)
            }
            metrics?.requestTook(provider: provider.profile.name, ContinuousClock.now - started)
            await semaphore?.release()
        } catch {
            answer = .failure(error)
        }
        let seedStamp = renewal.seedStamp
        let (outcome, rotatedSeedStamp) = await onBlockingIO {
            self.store(answer, stem: stem, seedStamp: seedStamp, in: userDirectory, now: now, logger: logger)
        }
        return RenewalResult(outcome: outcome, rotatedSeedStamp: rotatedSeedStamp, metadataStamp: metadataStamp)
    }

    /// The renewal of a provider that needs nothing but the CPU (``ImmediateCredentialProvider``), on the caller's
    /// thread: the token, then its files. Blocking; the monitor calls it on ``BlockingIO``.
    nonisolated func renewImmediately(_ renewal: Renewal, provider: any ImmediateCredentialProvider, now: Date,
                                      logger: Logger) -> RenewalResult {
        let request = CredentialRequest(id: renewal.plan.record.id, current: renewal.current, now: now)
        let started = ContinuousClock.now
        let answer = Result { try provider.renewImmediately(request) }
        metrics?.requestTook(provider: provider.profile.name, ContinuousClock.now - started)
        let (outcome, rotatedSeedStamp) = store(answer, stem: renewal.plan.record.id.token.stem, seedStamp: renewal.seedStamp,
                                                in: renewal.userDirectory, now: now, logger: logger)
        return RenewalResult(outcome: outcome, rotatedSeedStamp: rotatedSeedStamp)
    }

    /// Writes what a provider answered (blocking): the update; for an unusable answer or a failure, its rotated seed
    /// alone; for a seed dead at its source, the removal of the credential.
    private nonisolated func store(_ answer: Result<CredentialUpdate, any Error>, stem: String, seedStamp: FileStamp,
                                   in userDirectory: DirectoryHandle, now: Date, logger: Logger) -> (CredentialDecision.Outcome, FileStamp?) {
        switch answer {
        case .success(let update):
            if let unusable = CredentialDecision.unusable(update, now: now) {
                guard let rotated = update.rotatedSeed else { return (.failed(unusable), nil) }
                return (.failed(unusable), storeRotatedSeed(rotated, stem: stem, in: userDirectory, logger: logger))
            }
            do {
                let seedStamp = try CredentialFiles.store(update, stem: stem, in: userDirectory, staging: staging,
                                                          accessTokenDurability: configuration.accessTokenDurability)
                let written = try? FileStatus.at(userDirectory.descriptor, stem + ".use", path: "")
                return (.renewed(update, accessStamp: written?.stamp), seedStamp)
            } catch {
                return (.failed(error), nil)
            }
        case .failure(let error):
            if let providerError = error as? ProviderError, providerError.disposition == .discard {
                return (discard(stem: stem, seedStamp: seedStamp, error: providerError, in: userDirectory, logger: logger), nil)
            }
            guard let rotated = (error as? ProviderError)?.rotatedSeed else { return (.failed(error), nil) }
            return (.failed(error), storeRotatedSeed(rotated, stem: stem, in: userDirectory, logger: logger))
        }
    }

    /// Removes a credential whose seed is dead at its source; when a new `.top` arrived meanwhile, the failure is an
    /// ordinary transient one instead (the new seed is looked at next).
    private nonisolated func discard(stem: String, seedStamp: FileStamp?, error: ProviderError, in userDirectory: DirectoryHandle,
                                     logger: Logger) -> CredentialDecision.Outcome {
        do {
            if try CredentialFiles.discard(stem: stem, seedStamp: seedStamp, in: userDirectory) {
                return .failed(error)
            }
            return .failed(ProviderError.transient(error.code, error.message + "; a new .top arrived meanwhile and is looked at next"))
        } catch {
            logger.error("Cannot remove the dead credential's files", metadata: ["credmon.error": "\(error)"])
            return .failed(ProviderError.terminal(.seedRejected, "\(error)"))
        }
    }

    /// Writes the rotated seed of a failed operation durably, and nothing else: the answer could not be used, but its
    /// refresh token may be the only live one. Returns the new `.top`'s stamp.
    private nonisolated func storeRotatedSeed(_ seed: [UInt8], stem: String, in userDirectory: DirectoryHandle, logger: Logger) -> FileStamp? {
        do {
            let stamp = try CredentialFiles.storeSeed(seed, stem: stem, in: userDirectory, staging: staging)
            logger.notice("Kept the rotated refresh token of an unusable answer")
            return stamp
        } catch {
            logger.error("Cannot store the rotated refresh token of an unusable answer", metadata: ["credmon.error": "\(error)"])
            return nil
        }
    }

    /// Runs blocking work that does not throw on ``BlockingIO`` (the caller's thread once it is shut down).
    nonisolated func onBlockingIO<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        do {
            return try await io.run(work)
        } catch {
            preconditionFailure("BlockingIO.run throws only what its work throws, and this work does not throw")
        }
    }
}
