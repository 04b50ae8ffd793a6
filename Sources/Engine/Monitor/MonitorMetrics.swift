import FoundationEssentials
import Metrics
import Synchronization

/// The monitor's metrics, through swift-metrics' API only: the process that bootstraps `MetricsSystem` chooses the
/// backend (the daemon's is Prometheus). Made only when ``MonitorConfiguration/metrics`` is on, so a monitor without
/// metrics does no work for them; handles are made once per provider (and state), never per token.
///
/// Names start with `credmon_`; no label carries a user name unless ``MonitorConfiguration/metricsPerUser`` asks for it
/// (the health metrics then carry `user`).
public final class MonitorMetrics: Sendable {
    /// The metric names, for the exporter's documentation and the tests.
    public enum Name {
        public static let tokenRequests = "credmon_token_requests_total"
        public static let tokenRequestDuration = "credmon_token_request_duration_seconds"
        public static let passDuration = "credmon_pass_duration_seconds"
        public static let lastComplete = "credmon_last_complete_timestamp_seconds"
        public static let queueDepth = "credmon_queue_depth"
        public static let backoffs = "credmon_backoffs"
        public static let credentials = "credmon_credentials"
        public static let longLivedCredentials = "credmon_long_lived_credentials"
        public static let expirySeconds = "credmon_credential_expiry_seconds"
        public static let all = [tokenRequests, tokenRequestDuration, passDuration, lastComplete, queueDepth, backoffs, credentials,
                                 longLivedCredentials, expirySeconds]
    }

    /// The outcome label of a token request: the engine's own classification of failures.
    public enum Outcome: String, Sendable, CaseIterable {
        case success, transient, terminal, dormant, discarded
    }

    private struct ProviderHandles: Sendable {
        let duration: CoreMetrics.Timer
        let outcomes: [Outcome: Counter]
    }

    private struct CredentialKey: Hashable, Sendable {
        let provider: String
        let state: String
    }

    private let deepPass = CoreMetrics.Timer(label: Name.passDuration, dimensions: [("kind", "deep")])
    private let shallowPass = CoreMetrics.Timer(label: Name.passDuration, dimensions: [("kind", "shallow")])
    private let lastComplete = Gauge(label: Name.lastComplete)
    private let queueDepth = Gauge(label: Name.queueDepth)
    private let backoffs = Gauge(label: Name.backoffs)
    private let providers = Mutex<[String: ProviderHandles]>([:])
    private let credentialGauges = Mutex<[CredentialKey: Gauge]>([:])
    private let healthGauges = Mutex<[HealthKey: Gauge]>([:])
    private let expiryGauges = Mutex<[HealthKey: Gauge]>([:])

    /// A health series: provider, user (with the per-user switch) and state (empty for the expiry gauge).
    public struct HealthKey: Hashable, Sendable {
        public var provider: String
        public var user: String?
        public var state: String
        public init(provider: String, user: String?, state: String) {
            self.provider = provider
            self.user = user
            self.state = state
        }

        var dimensions: [(String, String)] {
            var dimensions = [("provider", provider)]
            if let user { dimensions.append(("user", user)) }
            if !state.isEmpty { dimensions.append(("state", state)) }
            return dimensions
        }
    }

    public init() {}

    private func handles(_ provider: String) -> ProviderHandles {
        providers.withLock { table in
            if let known = table[provider] { return known }
            var outcomes: [Outcome: Counter] = [:]
            for outcome in Outcome.allCases {
                outcomes[outcome] = Counter(label: Name.tokenRequests, dimensions: [("provider", provider), ("outcome", outcome.rawValue)])
            }
            let made = ProviderHandles(duration: CoreMetrics.Timer(label: Name.tokenRequestDuration, dimensions: [("provider", provider)]),
                                       outcomes: outcomes)
            table[provider] = made
            return made
        }
    }

    /// One provider call (`fetch` or `refresh`) took `duration`.
    public func requestTook(provider: String, _ duration: Duration) {
        handles(provider).duration.recordNanoseconds(Self.nanoseconds(duration))
    }

    /// One provider call ended so.
    public func requestEnded(provider: String, outcome: Outcome) {
        handles(provider).outcomes[outcome]?.increment()
    }

    /// A full pass ended after `duration`, at `completedAt` (when `CREDMON_COMPLETE` was touched, if it was).
    public func passEnded(deep: Bool, duration: Duration, completedAt: Date?) {
        (deep ? deepPass : shallowPass).recordNanoseconds(Self.nanoseconds(duration))
        if let completedAt { lastComplete.record(completedAt.timeIntervalSince1970) }
    }

    /// Credentials waiting for a worker now.
    public func queueDepth(_ waiting: Int) { queueDepth.record(waiting) }

    /// Every credential by provider and state (a state that emptied is set to 0), and how many back off now.
    public func credentials(_ counts: [String: [CredentialRecord.State: Int]], backoffs: Int) {
        self.backoffs.record(backoffs)
        credentialGauges.withLock { gauges in
            var seen = Set<CredentialKey>()
            for (provider, states) in counts {
                for (state, count) in states {
                    let key = CredentialKey(provider: provider, state: state.rawValue)
                    seen.insert(key)
                    let gauge = gauges[key] ?? Gauge(label: Name.credentials, dimensions: [("provider", provider), ("state", state.rawValue)])
                    gauges[key] = gauge
                    gauge.record(count)
                }
            }
            for (key, gauge) in gauges where !seen.contains(key) { gauge.record(0) }
        }
    }

    /// Long-lived credentials by provider (and user) and health; every health state of a provider is present, 0 when
    /// none is in it.
    public func health(_ counts: [HealthKey: Int], perUser: Bool) {
        var complete = counts
        if !perUser {
            for provider in Set(counts.keys.map(\.provider)) {
                for state in CredentialHealth.allCases {
                    complete[HealthKey(provider: provider, user: nil, state: state.rawValue), default: 0] += 0
                }
            }
        }
        healthGauges.withLock { gauges in
            for (key, count) in complete {
                let gauge = gauges[key] ?? Gauge(label: Name.longLivedCredentials, dimensions: key.dimensions)
                gauges[key] = gauge
                gauge.record(count)
            }
            for (key, gauge) in gauges where complete[key] == nil { gauge.record(0) }
        }
    }

    /// Seconds until the earliest not yet expired long-lived credential expires, by provider (and user); a series
    /// whose credentials are gone or no longer have a known expiry is removed.
    public func earliestExpiry(_ seconds: [HealthKey: TimeInterval], perUser: Bool) {
        expiryGauges.withLock { gauges in
            for (key, value) in seconds {
                let gauge = gauges[key] ?? Gauge(label: Name.expirySeconds, dimensions: key.dimensions)
                gauges[key] = gauge
                gauge.record(value.rounded())
            }
            for (key, gauge) in gauges where seconds[key] == nil {
                gauge.destroy()
                gauges[key] = nil
            }
        }
    }

    /// The outcome label of a failed provider call, as ``CredentialDecision`` settles it (an error that is not a
    /// ``ProviderError`` backs off: transient).
    static func outcome(of error: any Error) -> Outcome {
        switch (error as? ProviderError)?.disposition {
        case .terminal?: .terminal
        case .dormant?: .dormant
        case .discard?: .discarded
        case .transient?, nil: .transient
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue &+ attoseconds / 1_000_000_000
    }
}
