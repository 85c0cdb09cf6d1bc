import Crypto
import Foundation
import GitServerFixtures
import Giter
import GiterWebhooks
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Testing

/// The secret every test sender signs with (a Standard Webhooks secret, so
/// that one value serves every provider).
let testSecretText = "whsec_" + Data("giter-test-webhook-key".utf8).base64EncodedString()
let otherSecretText = "whsec_" + Data("someone-else-entirely".utf8).base64EncodedString()

/// A fixed wall-clock time for Standard Webhooks timestamps: 2026-12-01 00:00:00 UTC.
let testNow: Int64 = 1_795_996_800

/// A push payload as forges send it (only `ref` is read).
func pushPayload(ref: String = "refs/heads/main") -> [UInt8] {
    Array(#"{"ref":"\#(ref)","before":"0000","after":"1111","commits":[{"id":"1111","message":"x"}]}"#.utf8)
}

/// Signs `body` as `provider` does with `secret`: the headers of one delivery.
func signedHeaders(
    _ provider: WebhookProvider,
    body: [UInt8],
    secret: String = testSecretText,
    deliveryID: String = UUID().uuidString,
    timestamp: Int64 = testNow
) -> HTTPFields {
    let key = SymmetricKey(data: Array(secret.utf8))
    let hex = HMAC<SHA256>.authenticationCode(for: body, using: key).map { String(format: "%02x", $0) }.joined()
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    func set(_ name: String, _ value: String) { headers[HTTPField.Name(name)!] = value }
    switch provider {
    case .github:
        set("X-Hub-Signature-256", "sha256=" + hex)
        set("X-GitHub-Delivery", deliveryID)
        set("X-GitHub-Event", "push")
    case .gitea:
        set("X-Gitea-Signature", hex)
        set("X-Gitea-Delivery", deliveryID)
        set("X-Gitea-Event", "push")
    case .forgejo:
        set("X-Forgejo-Signature", hex)
        set("X-Forgejo-Delivery", deliveryID)
        set("X-Gitea-Signature", hex)
        set("X-Gitea-Delivery", deliveryID)
    case .gitlab:
        set("X-Gitlab-Token", secret)
        set("X-Gitlab-Event", "Push Hook")
        set("Idempotency-Key", deliveryID)
        set("X-Gitlab-Event-UUID", deliveryID)
    case .bitbucket:
        set("X-Hub-Signature", "sha256=" + hex)
        set("X-Request-UUID", deliveryID)
        set("X-Event-Key", "repo:push")
    case .generic:
        let keyBytes = Data(base64Encoded: String(secret.dropFirst("whsec_".count)))!
        let signed = Array("\(deliveryID).\(timestamp).".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: keyBytes))
        set("webhook-id", deliveryID)
        set("webhook-timestamp", String(timestamp))
        set("webhook-signature", "v1," + Data(mac).base64EncodedString())
    }
    return headers
}

/// The headers of `headers` with the provider's credential removed.
func withoutCredential(_ headers: HTTPFields) -> HTTPFields {
    var headers = headers
    for name in [
        "X-Hub-Signature-256", "X-Hub-Signature", "X-Gitea-Signature", "X-Forgejo-Signature", "X-Gitlab-Token",
        "webhook-signature",
    ] {
        headers[HTTPField.Name(name)!] = nil
    }
    return headers
}

/// A configuration accepting `testSecretText` for every provider, judging
/// Standard Webhooks timestamps by `testNow`.
func testConfiguration(branch: String = "main", secrets: [String] = [testSecretText]) throws -> WebhookConfiguration {
    let secrets = try secrets.map { try WebhookSecret($0) }
    var configuration = WebhookConfiguration(branch: branch, secrets: secrets, providers: WebhookProvider.allCases)
    configuration.currentTime = { .seconds(testNow) }
    return configuration
}

/// A receiver served over HTTP on a loopback port, and the hints it posts.
struct LiveReceiver {
    let port: Int
    let notifier: ChangeNotifier

    /// Posts `body` on a connection of its own (a 413 may close it).
    func post(_ path: String, headers: HTTPFields, body: [UInt8]) async throws -> RawHTTP.Answer {
        try await RawHTTP.request(port: port, method: "POST", path: path, headers: headers, body: body)
    }

    func get(_ path: String) async throws -> RawHTTP.Answer {
        try await RawHTTP.request(port: port, method: "GET", path: path)
    }
}

/// Counts the hints a notifier posts, deterministically: ``finish()``
/// ends the notifier and returns the total once every hint was taken.
final class HintCounter: Sendable {
    private let notifier: ChangeNotifier
    private let counting: Task<Int, Never>
    private let progress: AsyncStream<Int>

    init(_ notifier: ChangeNotifier) {
        self.notifier = notifier
        let hints = notifier.subscribe()
        let (progress, input) = AsyncStream.makeStream(of: Int.self)
        self.progress = progress
        counting = Task {
            var count = 0
            for await _ in hints {
                count += 1
                input.yield(count)
            }
            input.finish()
            return count
        }
    }

    /// Waits until `count` hints were taken (a hint is posted before the
    /// response is sent, so after a 202 it is already on its way).
    func waitFor(_ count: Int) async {
        for await seen in progress where seen >= count { return }
    }

    /// Ends the notifier and returns how many hints were taken in all.
    func finish() async -> Int {
        notifier.finish()
        return await counting.value
    }
}

/// Serves `receiver` (and `/metrics` from `registry`) on a free loopback
/// port, runs `body`, then shuts the server down; all within `limit`.
func withLiveReceiver<T: Sendable>(
    _ receiver: WebhookReceiver,
    metrics registry: PrometheusCollectorRegistry? = nil,
    limit: Duration = .seconds(60),
    _ body: @escaping @Sendable (LiveReceiver) async throws -> T
) async throws -> T {
    let (ports, portInput) = AsyncStream.makeStream(of: Int?.self)
    let application = receiver.application(
        host: "127.0.0.1",
        port: 0,
        metrics: registry,
        onServerRunning: { port in portInput.yield(port) }
    )
    var logger = Logger(label: "giter.test.webhooks")
    logger.logLevel = .error
    let group = ServiceGroup(services: [application], gracefulShutdownSignals: [], logger: logger)
    return try await withThrowingTaskGroup(of: LiveTask<T>.self) { tasks in
        tasks.addTask {
            defer { portInput.finish() }
            try await group.run()
            return .serverEnded
        }
        tasks.addTask {
            var iterator = ports.makeAsyncIterator()
            guard let first = await iterator.next(), let port = first else {
                throw ServerDidNotStart()
            }
            let value = try await body(LiveReceiver(port: port, notifier: receiver.notifier))
            // A graceful shutdown: the server closes its connections and ends on its own.
            await group.triggerGracefulShutdown()
            return .finished(value)
        }
        tasks.addTask {
            try await Task.sleep(for: limit)
            throw DeadlineExceeded(limit: limit)
        }
        defer { tasks.cancelAll() }
        var result: T?
        var serverEnded = false
        while result == nil || !serverEnded, let next = try await tasks.next() {
            switch next {
            case .finished(let value): result = value
            case .serverEnded: serverEnded = true
            }
        }
        guard let result else { throw ServerDidNotStart() }
        return result
    }
}

enum LiveTask<T: Sendable>: Sendable {
    case finished(T)
    case serverEnded
}

struct ServerDidNotStart: Error, CustomStringConvertible {
    var description: String { "the webhook server did not start" }
}
