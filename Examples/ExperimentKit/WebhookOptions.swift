public import ArgumentParser
public import Giter
import GiterWebhooks
import Hummingbird
public import Logging
import Metrics
public import Prometheus
public import ServiceLifecycle

/// The webhook options both example executables take.
///
/// ```
/// --webhook-listen HOST:PORT    serve POST /hooks/<provider>, GET /metrics and GET /healthz there
/// --webhook-secret-file FILE    a file holding a webhook secret (repeatable: every one is accepted, for rotation)
/// ```
///
/// Each secret is accepted from every provider (`github`, `gitea`,
/// `forgejo`, `gitlab`, `bitbucket`), and from `generic` (Standard
/// Webhooks) when it is a `whsec_` secret. With webhooks the poll becomes
/// a safety poll: 30 s unless `--poll-interval` says otherwise
/// (``ExchangeOptions/pollDuration(webhooks:)``).
public struct WebhookOptions: ParsableArguments, Sendable {
    /// Where to listen, `HOST:PORT` (`[::1]:8080` for IPv6); nil for no webhooks.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Listen for webhooks on HOST:PORT: POST /hooks/<provider>, GET /metrics, GET /healthz.",
            valueName: "host:port"
        )
    )
    public var webhookListen: String?

    /// Files that each hold one secret.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "A file holding a webhook secret; repeat it to accept several while rotating.",
            valueName: "file"
        )
    )
    public var webhookSecretFile: [String] = []

    /// Options with their defaults; ArgumentParser fills them from the command line.
    public init() {}

    /// Whether webhooks are on.
    public var isEnabled: Bool { webhookListen != nil }

    /// Checks that an address comes with a secret and reads right.
    public func validate() throws {
        guard let webhookListen else {
            guard webhookSecretFile.isEmpty else {
                throw ValidationError("--webhook-secret-file needs --webhook-listen HOST:PORT.")
            }
            return
        }
        guard !webhookSecretFile.isEmpty else {
            throw ValidationError(
                "--webhook-listen needs --webhook-secret-file FILE: webhooks are accepted only when signed."
            )
        }
        _ = try Self.address(webhookListen)
    }

    /// `HOST:PORT` as an address to bind.
    static func address(_ text: String) throws -> BindAddress {
        guard let colon = text.lastIndex(of: ":") else {
            throw ValidationError("--webhook-listen must read HOST:PORT, not '\(text)'.")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("--webhook-listen must read HOST:PORT with a port up to 65535, not '\(text)'.")
        }
        return .hostname(host, port: port)
    }

    /// The webhook server posting hints into `notifier` for `branch`, with
    /// `/metrics` from `registry`; nil when webhooks are off.
    ///
    /// - Throws: `WebhookError` when a secret file cannot be used.
    /// `onListening` is called once the server accepts connections.
    public func makeServer(
        branch: String,
        notifier: ChangeNotifier,
        registry: PrometheusCollectorRegistry?,
        logger: Logger,
        onListening: @escaping @Sendable () async -> Void = {}
    ) throws -> (any Service)? {
        guard let webhookListen else { return nil }
        let secrets = try webhookSecretFile.map { try WebhookSecret(contentsOfFile: $0) }
        var providers = WebhookProvider.allCases.filter { $0 != .generic }
        var configuration = WebhookConfiguration(branch: branch, secrets: secrets, providers: providers)
        // Standard Webhooks needs whsec_ secrets; the others take any.
        let standard = secrets.filter(\.isStandardWebhooksSecret)
        if !standard.isEmpty {
            configuration.secrets[.generic] = standard
            providers.append(.generic)
        }
        let receiver = try WebhookReceiver(configuration: configuration, notifier: notifier, logger: logger)
        let paths = providers.map(\.rawValue).joined(separator: ",")
        logger.info("webhooks on \(webhookListen): POST /hooks/{\(paths)}, GET /metrics, GET /healthz")
        return receiver.application(
            address: try Self.address(webhookListen),
            metrics: registry,
            onServerRunning: { _ in await onListening() }
        )
    }

    /// Bootstraps swift-metrics with a Prometheus registry when webhooks are
    /// on, for `/metrics`. Call once, from an executable: a host app owns
    /// its metrics system.
    public func bootstrapMetrics() -> PrometheusCollectorRegistry? {
        guard isEnabled else { return nil }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }
}
