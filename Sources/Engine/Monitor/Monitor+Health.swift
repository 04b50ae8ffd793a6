import FoundationEssentials
import Logging

extension Monitor {
    /// Estimates anew the expiry of a credential whose `.top` changed (or was first seen): from the `.top` for a kind
    /// that keeps a refresh token, `never` for one whose credentials do not expire; an expiry kept from before a
    /// restart for the same `.top` stands.
    nonisolated func estimateExpiry(_ record: inout CredentialRecord, seed: CredentialDecision.Seed, lifetime: CredentialLifetime,
                                    in userDirectory: DirectoryHandle) {
        if record.expiryEstimatedForSeed == seed.stamp.modified, record.expiry != nil { return }
        record.refusedByProvider = false
        record.expiryEstimatedForSeed = seed.stamp.modified
        let bytes = lifetime.estimatesFromSeed ? (try? userDirectory.readFile(record.id.token.stem + ".top")) ?? nil : nil
        record.expiry = lifetime.expiry(ofSeed: bytes, modified: seed.modified)
    }

    /// Assesses a credential's health now: one log line when it changes, and a notification when ``NoticeRule`` says
    /// so. Returns whether anything kept in ``ExpiryStore`` changed.
    @discardableResult
    func assessHealth(_ record: inout CredentialRecord, now: Date) -> Bool {
        guard let entry = table.entry(for: record.id.token.service), record.state != .unowned, record.state != .refused else {
            record.health = nil
            return false
        }
        let thresholds = entry.expiry.warnings ?? configuration.expiryWarnings
        let assessment = HealthAssessment.assess(expiresAt: record.expiry?.expiresAt, refused: record.refusedByProvider,
                                                 thresholds: thresholds, now: now)
        if assessment.health != (record.health?.health ?? .ok) { logHealth(assessment, of: record) }
        record.health = assessment
        let (send, notified) = NoticeRule.next(notified: record.notified, current: assessment)
        let changed = notified != record.notified
        record.notified = notified
        if send, let command = entry.expiry.notifyCommand.map({ NotifyCommand(argv: $0) }) ?? configuration.notifyCommand {
            let notice = Notice(user: record.id.user, service: record.id.token.service, token: record.id.token.stem,
                                health: assessment.health, threshold: assessment.threshold, expiresAt: record.expiry?.expiresAt,
                                loginHint: LoginHint.text(for: record.id, health: assessment.health, lifetime: entry.expiry.lifetime))
            pendingNotices.append((notice, command))
        }
        return changed
    }

    private func logHealth(_ assessment: HealthAssessment, of record: CredentialRecord) {
        var metadata: Logger.Metadata = [
            "credmon.user": "\(record.id.user)", "credmon.token": "\(record.id.token.stem)",
            "credmon.state": "\(assessment.health.rawValue)",
            "credmon.expires": "\(record.expiry?.expiresAt.map { String(ExternalTime.epochSeconds($0)) } ?? "unknown")",
        ]
        if let source = record.expiry?.source { metadata["credmon.expiry_source"] = "\(source.rawValue)" }
        switch assessment.health {
        case .ok: logger.notice("Credential in order again", metadata: metadata)
        case .expiring: logger.warning("Credential expiring: the user must log in again before it expires", metadata: metadata)
        case .expired: logger.error("Credential expired: the user must log in again", metadata: metadata)
        case .revoked: logger.error("Credential revoked at its provider: the user must log in again", metadata: metadata)
        }
    }

    /// Re-assesses every credential after a pass (time passes for those that are not renewed). Credentials with nothing
    /// to assess (no known expiry, in order, nothing notified) are passed over without a lookup.
    func assessAllHealth(now: Date) {
        var storeChanged = false
        var changed: [CredentialRecord] = []
        for index in records.values.indices {
            // Looked at in place: only a record whose health may change is copied.
            guard Self.mayChangeHealth(records.values[index]) else { continue }
            var record = records.values[index]
            let before = record.health
            let notifiedChanged = assessHealth(&record, now: now)
            storeChanged = storeChanged || notifiedChanged
            if notifiedChanged || record.health != before { changed.append(record) }
        }
        for record in changed { records[record.id] = record }
        if storeChanged { expiryStoreDirty = true }
        if storeChanged || !pendingNotices.isEmpty { expiryTrigger.yield() }
        if !changed.isEmpty { publishChange() }
    }

    /// Whether assessing `record` can change its health or notices: it has an expiry, a refusal, a notice sent, or a
    /// health other than ok.
    private static func mayChangeHealth(_ record: CredentialRecord) -> Bool {
        !(record.expiry?.expiresAt == nil && !record.refusedByProvider && record.notified == nil
          && (record.health == nil || record.health?.health == .ok))
    }

    /// Keeps ``ExpiryStore`` and sends the notifications: the store is written before a notification is sent, so
    /// that a restart repeats none. Writes are spaced by ``expiryWriteInterval`` while only expiries change.
    func expiryLoop() async {
        for await _ in expiryTriggers {
            if stopping { break }
            let wrote = await flushExpiryStore()
            await sendPendingNotices()
            if wrote, pendingNotices.isEmpty {
                try? await clock.sleep(until: clock.now().addingTimeInterval(Self.expiryWriteInterval))
            }
        }
    }

    /// The least time between two writes of the expiry store while no notification waits.
    static let expiryWriteInterval: TimeInterval = 2

    /// Writes the expiry store if it changed (nothing without a state directory); returns whether it wrote.
    @discardableResult
    func flushExpiryStore() async -> Bool {
        guard expiryStoreDirty, let stateDirectory = configuration.stateDirectory else { return false }
        expiryStoreDirty = false
        let entries = ExpiryStore.entries(of: records.values)
        let credentialDirectory = configuration.credentialDirectory
        do {
            try await io.run { try ExpiryStore.write(entries, to: stateDirectory, credentialDirectory: credentialDirectory) }
        } catch {
            logger.warning("Cannot write the expiry store", metadata: ["credmon.error": "\(error)"])
        }
        return true
    }

    private func sendPendingNotices() async {
        let notices = pendingNotices
        pendingNotices = []
        for (notice, command) in notices {
            let result = await Self.runDetached { command.run(notice) }
            var metadata: Logger.Metadata = [
                "credmon.user": "\(notice.user)", "credmon.token": "\(notice.token)", "credmon.state": "\(notice.health.rawValue)",
                "credmon.command": "\(command.argv[0])",
            ]
            switch result {
            case .succeeded:
                logger.info("Notified", metadata: metadata)
            case .failed(let status, let stderr):
                metadata["credmon.status"] = "\(status)"
                metadata["credmon.stderr"] = "\(stderr)"
                logger.warning("The notification command failed", metadata: metadata)
            case .notRun(let reason):
                metadata["credmon.error"] = "\(reason)"
                logger.warning("The notification command did not run", metadata: metadata)
            }
        }
    }

    /// Runs blocking work on a thread of its own (a notification command may run for its whole deadline: it must not
    /// hold a thread of the disk pool).
    nonisolated static func runDetached<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            PosixThread.detach { continuation.resume(returning: work()) }
        }
    }
}
