import FoundationEssentials

extension CredentialDecision {
    /// What came of asking the provider, as the effects carried it out.
    enum Outcome: Sendable {
        /// The answer was written; `accessStamp` is the new `.use` as written.
        case renewed(CredentialUpdate, accessStamp: FileStamp?)
        /// The provider failed, the answer was unusable, or it could not be written.
        case failed(any Error)
    }

    /// An answer that must not be written: its token has already expired (a failure with backoff, not a reason to
    /// ask again at once).
    static func unusable(_ update: CredentialUpdate, now: Date) -> ProviderError? {
        guard let validity = update.validity, validity.expiresAt <= now else { return nil }
        return .transient(.tokenAlreadyExpired,
            "the provider returned a token that expires at \(ExternalTime.epochSeconds(validity.expiresAt)), not after now (\(ExternalTime.epochSeconds(now)))")
    }

    /// Step 3, after the provider: a renewed token is scheduled at its renewal point; a failure waits for a new `.top`
    /// (terminal, dormant) or backs off (anything else). `firstIssue` words the log line ("Issued" or "Renewed").
    /// `lifetime` says how a rotated seed's expiry is estimated (``RefreshTokenExpiry``).
    static func settle(_ record: CredentialRecord, outcome: Outcome, provider: any CredentialProvider, now: Date,
                       firstIssue: Bool, rules: Rules, lifetime: CredentialLifetime = .unknown) -> Step {
        var record = record
        let profile = provider.profile
        record.fingerprint = profile.fingerprint
        switch outcome {
        case .renewed(let update, let accessStamp):
            let validity = update.validity
                ?? (try? AccessTokenFile.parse(update.accessTokenFile, path: "")).flatMap { provider.validity(of: $0, written: now) }
            let wasFailing = record.state == .failing || record.state == .terminal
            record.accessStamp = accessStamp
            record.validity = validity
            record.state = .valid
            record.lastRenewal = now
            record.consecutiveFailures = 0
            record.lastError = nil
            record.refusedByProvider = false
            if let expiry = update.seedExpiry ?? rotatedSeedExpiry(update, lifetime: lifetime, now: now) {
                record.expiry = expiry
                record.expiryEstimatedForSeed = record.seedStamp?.modified
            }
            let due = validity.map(provider.renewalDate(for:)) ?? now.addingTimeInterval(rules.unknownLifetimeRecheck)
            record.dueAt = due
            let note: Note = firstIssue ? .issued(expires: validity?.expiresAt, recovered: wasFailing)
                                        : .renewed(expires: validity?.expiresAt, recovered: wasFailing)
            return Step(record, .record, scheduleAt: due, keepsCopy: true, tally: .renewed, note: note)
        case .failed(let error):
            let providerError = error as? ProviderError
            if let providerError, providerError.disposition == .dormant {
                let note: Note? = record.state != .dormant ? .dormant(reason: providerError.message) : nil
                record.state = .dormant
                record.consecutiveFailures = 0
                record.lastError = providerError.description
                record.dueAt = nil
                return Step(record, .record, keepsCopy: true, note: note)
            }
            if let providerError, providerError.disposition == .discard {
                record.state = .discarded
                record.consecutiveFailures = 0
                record.lastError = providerError.description + "; its .top and .use were removed: the next submission stores a new one"
                record.dueAt = nil
                record.validity = nil
                record.refusedByProvider = true
                return Step(record, .record, tally: .failed, note: .discarded(error: providerError.description))
            }
            record.consecutiveFailures += 1
            record.lastError = providerError?.description ?? "\(error)"
            let message = record.lastError ?? ""
            if providerError?.disposition == .terminal {
                record.refusedByProvider = providerError?.code == .server("invalid_grant")
                let note: Note? = record.state != .terminal ? .terminal(error: message) : nil
                record.state = .terminal
                record.dueAt = nil
                return Step(record, .record, tally: .failed, note: note)
            }
            let delay = rules.backoff.delay(afterFailures: record.consecutiveFailures, retryAfter: providerError?.retryAfter)
            let note: Note = record.state != .failing
                ? .failing(error: message, retryIn: delay)
                : .failingAgain(error: message, failures: record.consecutiveFailures)
            record.state = .failing
            let retry = now.addingTimeInterval(delay)
            record.dueAt = retry
            return Step(record, .record, scheduleAt: retry, tally: .failed, note: note)
        }
    }

    /// The expiry of a rotated refresh token, counted from `now` (``RefreshTokenExpiry``); nil when nothing rotated or
    /// the kind keeps no refresh token.
    static func rotatedSeedExpiry(_ update: CredentialUpdate, lifetime: CredentialLifetime, now: Date) -> CredentialExpiry? {
        guard case .refreshToken(let maximum) = lifetime, let rotated = update.rotatedSeed,
              let object = JSONValue.parseObject(rotated) else { return nil }
        return RefreshTokenExpiry.estimate(from: object, issuedAt: now, maximum: maximum)
    }
}
