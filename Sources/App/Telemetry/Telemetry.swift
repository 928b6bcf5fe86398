import Hummingbird
import Logging
import Metrics
import Prometheus

/// What an operator watches (issue 12 item 7): swift-metrics recorded into a Prometheus
/// registry, served in the text format on a listen address of its own (`ZHTJ_METRICS_ADDRESS`),
/// off by default, so the figures are never public by accident.
///
/// swift-metrics has one backend per process, chosen once: the registry is bootstrapped the
/// first time it is asked for, which `buildApplication` does only when metrics are on. Before
/// that, and in a process without metrics, every figure goes to swift-metrics' no-op backend.
enum Telemetry {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Requests answer in milliseconds; inspections take tens of milliseconds to seconds.
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// The metrics server: `GET /metrics` only.
    static func application(host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        let registry = registry
        router.get("/metrics") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil), logger: logger)
    }

    /// An upload (archive or attachment) ended: accepted, or refused with the inspector's or the
    /// service's code.
    static func upload(_ kind: String, outcome: String, code: String = "") {
        Counter(label: "zhtj_uploads_total", dimensions: [("kind", kind), ("outcome", outcome), ("code", code)]).increment()
    }

    /// One inspection in the child, from the request's wait for a slot to its report.
    static func inspection(_ duration: Duration, accepted: Bool) {
        Metrics.Timer(label: "zhtj_inspection_seconds", dimensions: [("outcome", accepted ? "accepted" : "refused")])
            .recordNanoseconds(Int64(duration.components.seconds) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// Bytes the blob store was handed to keep (a file it already held is counted again: the
    /// figure is what uploads delivered).
    static func blobBytes(_ bytes: Int) {
        Counter(label: "zhtj_blob_bytes_written_total").increment(by: bytes)
    }

    /// A calendar sweep ran (`skipped`: another instance held the lease).
    static func sweep(skipped: Bool, decided: Int) {
        Counter(label: "zhtj_sweeps_total", dimensions: [("outcome", skipped ? "skipped" : "ran")]).increment()
        if decided > 0 { Counter(label: "zhtj_sweep_decisions_total").increment(by: decided) }
    }
}
