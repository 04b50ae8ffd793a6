import FoundationEssentials
import Glibc

/// How the monitor runs.
public struct MonitorConfiguration: Sendable {
    /// The credential directory (`$CD`).
    public var credentialDirectory: String
    /// Seconds between full passes (the safety net behind inotify). HTCondor's credmon: 60.
    public var scanInterval: TimeInterval = 60
    /// Credentials worked on at once, over all providers (each provider also bounds its own calls, 16 by default).
    public var maxConcurrent: Int = 64
    /// `CREDMON_ALLOW_SPECIAL_CHAR_NAMES`: the whole file stem is the service; no handles.
    public var allowSpecialCharacterNames = false
    /// React to file changes at once with inotify (else only passes and SIGHUP).
    public var watchFiles = true
    /// After a `.use` vanishes, wait this long before re-issuing it (its `.top` may be on its way out too).
    public var removalSettleDelay: TimeInterval = 1
    /// How long a new `.top` of a kind whose first token comes from a web login waits for its `.use` (credmon-web
    /// writes `.meta`, `.top`, then `.use`) before the provider is asked.
    public var webLoginWait: TimeInterval = 1
    /// Retry schedule for transient failures.
    public var backoff = Backoff()
    /// Whether `.use` files are fsynced (`.top` files always are).
    public var accessTokenDurability: Durability = .atomic
    /// Parallel directory-scan tasks.
    public var scanParallelism = 2
    /// User directories the first pass reads per round (see ``Monitor/firstPassInRounds(deep:started:)``).
    public var firstPassRound = 1024
    /// Every this many passes, a deep pass stats every file (the others stat only changed user directories).
    public var deepPassEvery = 10
    /// Credmon's own root-only directory (`--state-dir`): copies of seeds to revoke after removal.
    public var stateDirectory: String?
    /// Revocation attempts when a credential disappears, before it is left for the next deep pass.
    public var revocationAttempts = 3
    /// Stop after the first full pass (`credmon run --once`).
    public var once = false
    /// Count and time through swift-metrics (``MonitorMetrics``); off, the monitor does no work for metrics.
    public var metrics = false
    /// With ``metrics``: also label the credential-health metrics by user (off by default: one series per user).
    public var metricsPerUser = false
    /// Seconds before a credential's expiry at which to warn, largest first, where its fragment sets none
    /// (`CREDMON_EXPIRY_WARNINGS`, `--expiry-warnings`).
    public var expiryWarnings: [TimeInterval] = ExpiryPolicy.defaultWarnings
    /// The notification command where a fragment names none (`CREDMON_NOTIFY_COMMAND`, `--notify-command`).
    public var notifyCommand: NotifyCommand?

    public init(credentialDirectory: String) { self.credentialDirectory = credentialDirectory }
}

/// Figures from one full pass.
public struct PassSummary: Sendable {
    public var credentials: Int
    public var processed: Int
    public var renewed: Int
    public var failed: Int
    /// Wall time of the whole pass (scan and processing).
    public var duration: Duration
    /// Whether the user directories were looked at (a scan); false for a pass that trusted inotify's events.
    public var scanned: Bool = true
}

extension Duration {
    /// The duration in milliseconds, with three decimals.
    public var milliseconds: Double {
        let (seconds, attoseconds) = components
        return (Double(seconds) * 1000 + Double(attoseconds) / 1e15).rounded(toPlaces: 3)
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        let factor = pow(10, Double(places))
        return (self * factor).rounded() / factor
    }
}
