public import Hummingbird
import HummingbirdCore
import NIOCore
public import Prometheus

extension WebhookReceiver {
    /// How long the server keeps a connection on which nothing arrives, in seconds.
    public static let idleTimeoutSeconds: Int64 = 30

    /// An HTTP server of the webhooks, `/metrics` and `/healthz`: a
    /// swift-service-lifecycle `Service` to run beside the controller.
    ///
    /// ```swift
    /// let server = receiver.application(host: "127.0.0.1", port: 8080, metrics: registry)
    /// let group = ServiceGroup(services: [controller, server], gracefulShutdownSignals: [.sigterm], logger: logger)
    /// try await group.run()
    /// ```
    ///
    /// A connection idle for ``idleTimeoutSeconds`` is closed, so a sender that
    /// stops half-way through a body holds its connection that long at most
    /// (a sender that trickles bytes keeps it: there is no total deadline on
    /// a body yet; see Events.md).
    ///
    /// A host app with its own Hummingbird router calls ``addRoutes(to:)``
    /// and ``MonitoringRoutes/add(to:registry:health:)`` instead.
    ///
    /// - Parameters:
    ///   - address: where to listen.
    ///   - metrics: the registry swift-metrics was bootstrapped with; nil
    ///     serves no `/metrics`.
    ///   - health: what `/healthz` reports.
    ///   - onServerRunning: called with the bound port once the server listens
    ///     (useful with port 0).
    public func application(
        address: BindAddress,
        metrics: PrometheusCollectorRegistry?,
        health: @escaping @Sendable () async -> Bool = { true },
        onServerRunning: @escaping @Sendable (Int?) async -> Void = { _ in }
    ) -> Application<RouterResponder<BasicRequestContext>> {
        let router = Router()
        addRoutes(to: router)
        MonitoringRoutes.add(to: router, registry: metrics, health: health)
        return Application(
            router: router,
            server: .http1(configuration: HTTP1Channel.Configuration(idleTimeout: .seconds(Self.idleTimeoutSeconds))),
            configuration: ApplicationConfiguration(address: address, serverName: "giter-webhooks"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port) },
            logger: logger
        )
    }

    /// The server of ``application(address:metrics:health:onServerRunning:)``
    /// listening on `host` and `port` (0 for any free port).
    public func application(
        host: String,
        port: Int,
        metrics: PrometheusCollectorRegistry?,
        health: @escaping @Sendable () async -> Bool = { true },
        onServerRunning: @escaping @Sendable (Int?) async -> Void = { _ in }
    ) -> Application<RouterResponder<BasicRequestContext>> {
        application(
            address: .hostname(host, port: port),
            metrics: metrics,
            health: health,
            onServerRunning: onServerRunning
        )
    }
}
