import FoundationEssentials

extension CredentialDecision {
    /// Step 2, with the `.use`: keep the token until its renewal point, wait (a backoff, the renewal floor, a web
    /// login's `.use`), or ask the provider.
    ///
    /// A wait that is not about the files (the floor, a web login) records nothing of what was seen, so that the next
    /// look still finds the change that made the credential due.
    static func plan(_ record: CredentialRecord, seed: Seed, access: Access, provider: any CredentialProvider,
                     now: Date, rules: Rules) -> Step {
        let profile = provider.profile
        let seedChanged = record.seedStamp != seed.stamp
        let unobserved = record
        var record = record
        record.seedStamp = seed.stamp
        record.accessStamp = access.stamp
        record.validity = access.validity

        // Backing off after a transient failure, and nothing changed.
        if record.state == .failing, !seedChanged, let retry = record.dueAt, retry > now {
            return Step(record, .record, scheduleAt: retry)
        }
        // A token that is not due yet (unless the provider's settings changed).
        let fingerprintChanged = record.fingerprint != nil && record.fingerprint != profile.fingerprint
        // A Vault or Pelican `.top` written after the `.use` is a new seed to act on (once: the record then knows it).
        let newerSeed = profile.traits.renewsWhenSeedIsNewer && seedChanged
            && access.modified.map { seed.modified > $0 } == true
        if let validity = access.validity, !fingerprintChanged, !newerSeed {
            let due = provider.renewalDate(for: validity)
            if due > now {
                if record.state == .pending || record.state == .terminal || record.state == .dormant || seedChanged {
                    record.state = .valid
                    record.consecutiveFailures = 0
                    record.lastError = nil
                    record.metadataStamp = nil
                }
                record.fingerprint = profile.fingerprint
                record.dueAt = due
                return Step(record, .record, scheduleAt: due, keepsCopy: true)
            }
        }
        // The login race: a web login writes `.top` and then `.use`; a new `.top` without one waits for it a moment.
        if let deadline = webLoginDeadline(unobserved, seed: seed, access: access, traits: profile.traits, now: now, rules: rules) {
            var waiting = unobserved
            waiting.dueAt = deadline
            return Step(waiting, .record, scheduleAt: deadline, note: .awaitingWebLogin(until: deadline))
        }
        // The renewal floor: one credential is asked for at most once a second, whatever its tokens or its .top do.
        if let last = record.lastAttempt, now.timeIntervalSince(last) < rules.renewalFloor {
            var deferred = unobserved
            let retry = last.addingTimeInterval(rules.renewalFloor)
            deferred.dueAt = min(deferred.dueAt ?? retry, retry)
            return Step(deferred, .record, scheduleAt: retry)
        }
        record.lastAttempt = now
        return Step(record, .renew(fetch: !access.present))
    }

    /// Until when a `.top` waits for the `.use` of the web login that wrote it: only for kinds whose first token comes
    /// from a web login, only without a `.use`, only for a `.top` that is new to the monitor, and at most
    /// ``Rules/webLoginWait`` after the `.top` was written (a `.top` left without a `.use` by a crash is not waited for)
    /// or after the monitor first saw it (a `.top` dated in the future: the record's due date is the first deadline).
    static func webLoginDeadline(_ record: CredentialRecord, seed: Seed, access: Access, traits: ProviderTraits,
                                 now: Date, rules: Rules) -> Date? {
        guard traits.firstTokenFromWebLogin, !access.present,
              record.state == .pending || record.seedStamp != seed.stamp else { return nil }
        var deadline = min(seed.modified, now).addingTimeInterval(rules.webLoginWait)
        if let earlier = record.dueAt { deadline = min(deadline, earlier) }
        return deadline > now ? deadline : nil
    }
}
