import Metrics
import Prometheus
import Synchronization

/// The process's Prometheus registry, bootstrapped into `MetricsSystem` at most once per process (swift-metrics
/// allows one bootstrap), and only when metrics are on.
public final class MetricsExporter: Sendable {
    private static let shared = Mutex<MetricsExporter?>(nil)

    let registry: PrometheusCollectorRegistry

    private init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    /// The exporter, bootstrapping `MetricsSystem` with it the first time.
    public static func bootstrapped() -> MetricsExporter {
        shared.withLock { current in
            if let current { return current }
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.defaultDurationHistogramBuckets = [
                .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
                .seconds(30), .seconds(60),
            ]
            MetricsSystem.bootstrap(factory)
            let made = MetricsExporter(registry: registry)
            current = made
            return made
        }
    }

    /// Every metric in Prometheus' text exposition format.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }

    /// The content type of ``exposition()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
