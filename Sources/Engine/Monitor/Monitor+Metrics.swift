import Foundation

extension Monitor {
    /// After a full pass: its duration and completion time, every credential by provider and state, the backoffs in
    /// effect and the queue. One walk over the records, only when metrics are on.
    func recordPassMetrics(_ metrics: MonitorMetrics, deep: Bool, duration: Duration, completedAt: Date?) {
        var counts: [String: [CredentialRecord.State: Int]] = [:]
        var backoffs = 0
        for record in records.values {
            counts[record.provider ?? "none", default: [:]][record.state, default: 0] += 1
            if record.state == .failing { backoffs += 1 }
        }
        metrics.credentials(counts, backoffs: backoffs)
        metrics.queueDepth(workQueue.waiting)
        metrics.passEnded(deep: deep, duration: duration, completedAt: completedAt)
    }
}
