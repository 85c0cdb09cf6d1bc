public import Giter
public import HTTPTypes
public import Hummingbird
public import Logging
import Metrics
import NIOCore

/// Receives webhooks from forges and turns each verified push to the
/// exchange's branch into a hint in a ``Giter/ChangeNotifier``: an event
/// source for a `Controller`, a `Producer`'s wait, or any waiter of a host app.
///
/// ```swift
/// let changes = ChangeNotifier()
/// let secret = try WebhookSecret(contentsOfFile: "/etc/giter/webhook-secret")
/// let receiver = try WebhookReceiver(
///     configuration: WebhookConfiguration(branch: "main", secrets: [.github: [secret]]),
///     notifier: changes
/// )
/// await controller.addEventSource(changes.subscribe())
/// let server = receiver.application(host: "0.0.0.0", port: 8080, metrics: registry)
/// // run `server` and the controller in one ServiceGroup
/// ```
///
/// `POST /hooks/<provider>` (``WebhookProvider``), in this order:
/// 1. a provider that is unknown or has no secret: **404**;
/// 2. no credential header at all: **401**, before the body is read;
/// 3. a body over ``WebhookConfiguration/maxBodyBytes`` (by `Content-Length`,
///    or while reading): **413**, never buffering more than the bound;
/// 4. a credential that does not verify (constant-time compares; for
///    ``WebhookProvider/generic`` also a timestamp outside the tolerance):
///    **401**, with an empty body that says nothing of why;
/// 5. a delivery id seen among the last ``WebhookConfiguration/rememberedDeliveries``:
///    **204**, no hint;
/// 6. a payload whose `ref` names another branch or a tag: **204**, no hint;
/// 7. otherwise one ``Giter/ChangeNotifier/notify()``: **202**.
///
/// Webhooks are hints, never the truth: the payload's content is not
/// trusted beyond its `ref`, the waiter checks the remote and the diff
/// says what changed. Keep a poll running beside it (a lost webhook then
/// costs one poll period, not an exchange).
///
/// Every request counts in `giter_webhook_requests_total` (dimensions
/// `provider` and `outcome`) through swift-metrics; secrets and credential
/// headers are never logged.
public final class WebhookReceiver: Sendable {
    /// What it accepts.
    public let configuration: WebhookConfiguration
    /// Where hints go.
    public let notifier: ChangeNotifier
    let logger: Logger
    private let verifiers: [WebhookProvider: WebhookVerifier]
    private let deliveries: DeliveryWindow

    /// What became of one request.
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        /// Verified, for the branch, new: a hint was posted (202).
        case hint
        /// Verified, but its `ref` names another branch or a tag (204).
        case otherBranch = "other_branch"
        /// Verified, but its delivery id was seen already (204).
        case duplicate
        /// No credential, or one that does not verify (401).
        case unauthorized
        /// The body is over the bound (413).
        case tooLarge = "too_large"
        /// No such provider, or none configured (404).
        case unknownProvider = "unknown_provider"
        /// The body could not be read (400).
        case unreadable

        /// The HTTP status answered.
        public var status: HTTPResponse.Status {
            switch self {
            case .hint: .accepted
            case .otherBranch, .duplicate: .noContent
            case .unauthorized: .unauthorized
            case .tooLarge: .contentTooLarge
            case .unknownProvider: .notFound
            case .unreadable: .badRequest
            }
        }
    }

    /// A receiver posting into `notifier`.
    ///
    /// - Throws: ``WebhookError`` when `configuration` is out of bounds or a
    ///   ``WebhookProvider/generic`` secret is not a `whsec_` secret.
    public init(
        configuration: WebhookConfiguration,
        notifier: ChangeNotifier,
        logger: Logger = Logger(label: "giter.webhooks")
    ) throws {
        self.configuration = try configuration.validated()
        self.notifier = notifier
        self.logger = logger
        var verifiers: [WebhookProvider: WebhookVerifier] = [:]
        for (provider, secrets) in configuration.secrets where !secrets.isEmpty {
            verifiers[provider] = WebhookVerifier(
                provider: provider,
                secrets: secrets,
                timestampTolerance: configuration.timestampTolerance,
                currentTime: configuration.currentTime
            )
        }
        self.verifiers = verifiers
        deliveries = DeliveryWindow(capacity: configuration.rememberedDeliveries)
    }

    /// The providers served: those with at least one secret.
    public var providers: [WebhookProvider] {
        WebhookProvider.allCases.filter { verifiers[$0] != nil }
    }

    /// Adds `POST /hooks/:provider` to `router`.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.post("/hooks/:provider") { request, context -> Response in
            let provider = context.parameters.get("provider") ?? ""
            let outcome = await self.receive(provider: provider, headers: request.headers, body: request.body)
            return Response(status: outcome.status)
        }
    }

    /// Handles one delivery: checks it and, when it is a new push to the
    /// branch, posts a hint. Reads at most ``WebhookConfiguration/maxBodyBytes``
    /// of `body`.
    public func receive<Body: AsyncSequence & Sendable>(
        provider name: String,
        headers: HTTPFields,
        body: Body
    ) async -> Outcome where Body.Element == ByteBuffer {
        let outcome = await check(provider: name, headers: headers, body: body)
        let provider = WebhookProvider(rawValue: name)?.rawValue ?? "unknown"
        Counter(
            label: "giter_webhook_requests_total",
            dimensions: [("provider", provider), ("outcome", outcome.rawValue)]
        )
        .increment()
        logger.debug(
            "webhook",
            metadata: ["provider": "\(provider)", "outcome": "\(outcome.rawValue)"]
        )
        if outcome == .hint {
            notifier.notify()
        }
        return outcome
    }

    private func check<Body: AsyncSequence & Sendable>(
        provider name: String,
        headers: HTTPFields,
        body: Body
    ) async -> Outcome where Body.Element == ByteBuffer {
        guard let provider = WebhookProvider(rawValue: name), let verifier = verifiers[provider] else {
            return .unknownProvider
        }
        guard verifier.hasCredential(headers) else { return .unauthorized }
        if let length = headers[.contentLength].flatMap({ Int($0) }), length > configuration.maxBodyBytes {
            return .tooLarge
        }
        let bytes: [UInt8]
        do {
            var buffer = ByteBuffer()
            for try await chunk in body {
                guard buffer.readableBytes + chunk.readableBytes <= configuration.maxBodyBytes else {
                    return .tooLarge
                }
                var chunk = chunk
                buffer.writeBuffer(&chunk)
            }
            bytes = Array(buffer.readableBytesView)
        } catch {
            return .unreadable
        }
        guard case .verified(let deliveryID) = verifier.verify(headers, body: bytes) else { return .unauthorized }
        if let deliveryID, !deliveries.insert(deliveryID, of: provider) {
            return .duplicate
        }
        guard PushedReference.concerns(bytes, branch: configuration.branch, maxBytes: configuration.maxBodyBytes)
        else { return .otherBranch }
        return .hint
    }
}
