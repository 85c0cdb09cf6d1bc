#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a ``WebhookReceiver`` accepts: the branch it serves, the secrets of
/// each provider, and its bounds.
///
/// ```swift
/// let secret = try WebhookSecret(contentsOfFile: "/etc/giter/webhook-secret")
/// let configuration = WebhookConfiguration(branch: "main", secrets: [.github: [secret], .gitlab: [secret]])
/// ```
///
/// A provider without secrets is not served: its path answers 404.
/// Several secrets for one provider are all accepted, for rotation: add the
/// new one, change the sender, then remove the old one.
public struct WebhookConfiguration: Sendable {
    /// The branch whose pushes are hints; a push that names another ref
    /// (`ref` other than `refs/heads/<branch>`) is acknowledged and ignored.
    public var branch: String
    /// The secrets accepted for each provider.
    public var secrets: [WebhookProvider: [WebhookSecret]]
    /// The largest body read, in bytes; a larger one is answered 413
    /// without reading more. Default 1 MiB.
    public var maxBodyBytes: Int
    /// How far a Standard Webhooks `webhook-timestamp` may be from
    /// ``currentTime``, either way. Default 5 minutes.
    public var timestampTolerance: Duration
    /// How many delivery ids are remembered to drop a repeated delivery
    /// (a fixed-size window: the oldest is forgotten first). Default 1,024.
    public var rememberedDeliveries: Int
    /// The time since 1970-01-01 UTC, by which a Standard Webhooks timestamp
    /// is judged; the system's wall clock unless a test gives its own.
    public var currentTime: @Sendable () -> Duration

    /// A configuration serving `branch` with `secrets`.
    public init(
        branch: String,
        secrets: [WebhookProvider: [WebhookSecret]],
        maxBodyBytes: Int = 1 << 20,
        timestampTolerance: Duration = .seconds(300),
        rememberedDeliveries: Int = 1024,
        currentTime: @escaping @Sendable () -> Duration = WebhookConfiguration.systemTime
    ) {
        self.branch = branch
        self.secrets = secrets
        self.maxBodyBytes = maxBodyBytes
        self.timestampTolerance = timestampTolerance
        self.rememberedDeliveries = rememberedDeliveries
        self.currentTime = currentTime
    }

    /// The same secrets for every provider in `providers` (a provider named twice counts once).
    public init(branch: String, secrets: [WebhookSecret], providers: [WebhookProvider]) {
        self.init(branch: branch, secrets: Dictionary(providers.map { ($0, secrets) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The system's wall clock: the time since 1970-01-01 UTC.
    @Sendable public static func systemTime() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return .seconds(Int64(now.tv_sec)) + .nanoseconds(Int64(now.tv_nsec))
    }

    /// Checks the bounds and that every ``WebhookProvider/generic`` secret
    /// is a `whsec_` secret.
    func validated() throws -> WebhookConfiguration {
        guard !branch.isEmpty, !branch.hasPrefix("refs/") else {
            throw WebhookError(.invalidConfiguration, "give the branch by its short name (main), not '\(branch)'")
        }
        guard (1...(64 << 20)).contains(maxBodyBytes) else {
            throw WebhookError(.invalidConfiguration, "maxBodyBytes must be between 1 and 64 MiB")
        }
        guard (1...1_000_000).contains(rememberedDeliveries) else {
            throw WebhookError(.invalidConfiguration, "rememberedDeliveries must be between 1 and 1,000,000")
        }
        guard timestampTolerance > .zero else {
            throw WebhookError(.invalidConfiguration, "timestampTolerance must be positive")
        }
        if (secrets[.generic] ?? []).contains(where: { $0.standardWebhooksKey == nil }) {
            throw WebhookError(
                .invalidSecret,
                "a secret for /hooks/generic must read whsec_ followed by base64 (the Standard Webhooks form)"
            )
        }
        return self
    }
}
