public import Hummingbird
public import Prometheus

/// `GET /metrics` and `GET /healthz`, served beside the webhooks.
///
/// The host app owns metrics: it makes one `PrometheusCollectorRegistry`,
/// bootstraps swift-metrics with it once at start-up
/// (`MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))`),
/// and hands the same registry here. The library never bootstraps a global
/// system itself. Giter's runtime then shows as `giter_…` metrics.
public enum MonitoringRoutes {
    /// Adds `GET /metrics` (when `registry` is given) and `GET /healthz` to `router`.
    ///
    /// - Parameters:
    ///   - registry: the registry swift-metrics was bootstrapped with; its
    ///     metrics are served in the Prometheus text format.
    ///   - health: whether the app is healthy; `/healthz` answers 200 `ok`
    ///     when it is, 503 otherwise. Always healthy unless given.
    public static func add<Context: RequestContext>(
        to router: Router<Context>,
        registry: PrometheusCollectorRegistry?,
        health: @escaping @Sendable () async -> Bool = { true }
    ) {
        if let registry {
            router.get("/metrics") { _, _ -> Response in
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                let bytes = registry.emitToBuffer()
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
            }
        }
        router.get("/healthz") { _, _ -> Response in
            let healthy = await health()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(
                status: healthy ? .ok : .serviceUnavailable,
                headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(string: healthy ? "ok\n" : "unhealthy\n"))
            )
        }
    }
}
