import FoundationEssentials

extension Monitor {
    /// After a full pass: its duration and completion time, every credential by provider and state, the health of the
    /// long-lived credentials and the earliest expiry by provider (and user, with ``MonitorConfiguration/metricsPerUser``),
    /// the backoffs in effect and the queue. One walk over the records, only when metrics are on.
    func recordPassMetrics(_ metrics: MonitorMetrics, deep: Bool, duration: Duration, completedAt: Date?) {
        var counts: [String: [CredentialRecord.State: Int]] = [:]
        var health: [MonitorMetrics.HealthKey: Int] = [:]
        var earliest: [MonitorMetrics.HealthKey: Date] = [:]
        var backoffs = 0
        let now = clock.now()
        let perUser = configuration.metricsPerUser
        for record in records.values {
            let provider = record.provider ?? "none"
            counts[provider, default: [:]][record.state, default: 0] += 1
            if record.state == .failing { backoffs += 1 }
            guard let assessed = record.health?.health else { continue }
            let user = perUser ? record.id.user : nil
            health[MonitorMetrics.HealthKey(provider: provider, user: user, state: assessed.rawValue), default: 0] += 1
            if let expiresAt = record.expiry?.expiresAt, expiresAt > now, assessed != .revoked {
                let key = MonitorMetrics.HealthKey(provider: provider, user: user, state: "")
                earliest[key] = min(earliest[key] ?? expiresAt, expiresAt)
            }
        }
        metrics.credentials(counts, backoffs: backoffs)
        metrics.health(health, perUser: perUser)
        metrics.earliestExpiry(earliest.mapValues { $0.timeIntervalSince(now) }, perUser: perUser)
        metrics.queueDepth(workQueue.waiting)
        metrics.passEnded(deep: deep, duration: duration, completedAt: completedAt)
    }
}
