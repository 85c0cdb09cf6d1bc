import BenchmarkTransport
import Crypto
import Foundation
import Giter
import GiterWebhooks
import Hummingbird
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a forge does with webhooks, for `--webhooks`: each side of the
/// exchange runs Giter's shipped ``WebhookReceiver`` (a Hummingbird server on
/// 127.0.0.1 feeding a ``ChangeNotifier``), and after every push by one side
/// the forge stand-in posts a signed `generic` (Standard Webhooks) delivery
/// to the other side's receiver over HTTP, as a forge would after a push.
final class ForgeStandIn: Sendable {
    /// Hints for the producer's waits.
    let producerEvents = ChangeNotifier()
    /// Hints for the consumer's controller.
    let consumerEvents = ChangeNotifier()
    private let key: SymmetricKey
    private let ports: Mutex<[Timeline.Side: Int]> = Mutex([:])
    private let servers: Task<Void, any Error>
    private let deliveries = Atomic<Int>(0)
    private let failures = Atomic<Int>(0)

    private init(key: SymmetricKey, servers: Task<Void, any Error>) {
        self.key = key
        self.servers = servers
    }

    /// Starts both receivers and returns once both listen.
    static func start() async throws -> ForgeStandIn {
        let keyBytes = SymmetricKey(size: .bits256)
        let secretText = "whsec_" + keyBytes.withUnsafeBytes { Data($0).base64EncodedString() }
        let secret = try WebhookSecret(secretText)
        var logger = Logger(label: "giter.bench.webhooks")
        logger.logLevel = .warning
        let receivers = try [Timeline.Side.producer, .consumer].map { side in
            let notifier = ChangeNotifier()
            return (side, notifier, try WebhookReceiver(
                configuration: WebhookConfiguration(branch: "main", secrets: [secret], providers: [.generic]),
                notifier: notifier,
                logger: logger
            ))
        }
        let listening = AsyncStream.makeStream(of: (Timeline.Side, Int).self)
        let servers = Task {
            try await withThrowingDiscardingTaskGroup { group in
                for (side, _, receiver) in receivers {
                    let application = receiver.application(
                        host: "127.0.0.1", port: 0, metrics: nil,
                        onServerRunning: { port in listening.continuation.yield((side, port ?? 0)) })
                    group.addTask { try await application.runService() }
                }
            }
        }
        let forge = ForgeStandIn(key: keyBytes, servers: servers)
        // Forward each receiver's hints to the notifier its side waits on.
        for (side, notifier, _) in receivers {
            let target = side == .producer ? forge.producerEvents : forge.consumerEvents
            let hints = notifier.subscribe()
            Task {
                for await _ in hints { target.notify() }
            }
        }
        var seen = 0
        for await (side, port) in listening.stream {
            guard port > 0 else { throw BenchmarkError("a webhook receiver did not report its port") }
            forge.ports.withLock { $0[side] = port }
            seen += 1
            if seen == 2 { break }
        }
        progress("webhook receivers listening: \(forge.ports.withLock { $0 })")
        return forge
    }

    func stop() async {
        servers.cancel()
        _ = try? await servers.value
        producerEvents.finish()
        consumerEvents.finish()
        if failures.load(ordering: .relaxed) > 0 {
            progress("webhooks: \(failures.load(ordering: .relaxed)) deliveries failed")
        }
    }

    /// Deliveries posted and answered 202.
    var delivered: Int { deliveries.load(ordering: .relaxed) }

    /// After `side` pushed `commit`: a delivery to the other side, from a
    /// task of its own (a forge posts after the push has returned).
    func pushed(by side: Timeline.Side, commit: ObjectID) {
        let target: Timeline.Side = side == .producer ? .consumer : .producer
        guard let port = ports.withLock({ $0[target] }) else { return }
        let body = Array("{\"ref\":\"refs/heads/main\",\"after\":\"\(commit.hex)\"}".utf8)
        let id = "msg_\(UInt64.random(in: 0...UInt64.max))"
        let timestamp = String(Int(Date().timeIntervalSince1970))
        let signed = Array("\(id).\(timestamp).".utf8) + body
        let signature = Data(HMAC<SHA256>.authenticationCode(for: signed, using: key)).base64EncodedString()
        let head =
            "POST /hooks/generic HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\nwebhook-id: \(id)\r\n"
            + "webhook-timestamp: \(timestamp)\r\nwebhook-signature: v1,\(signature)\r\n\r\n"
        let request = Array(head.utf8) + body
        Task.detached { [self] in
            if Self.post(request, port: port) == 202 {
                deliveries.add(1, ordering: .relaxed)
            } else {
                failures.add(1, ordering: .relaxed)
            }
        }
    }

    /// Sends one request on a new connection; the status code answered, or nil.
    private static func post(_ request: [UInt8], port: Int) -> Int? {
        let socket = loopbackSocket()
        guard socket >= 0 else { return nil }
        defer { close(socket) }
        guard connectLoopback(socket, port: port) else { return nil }
        var sent = 0
        while sent < request.count {
            let count = request[sent...].withUnsafeBytes { write(socket, $0.baseAddress, $0.count) }
            guard count > 0 else { return nil }
            sent += count
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while answer.count < 4096, !answer.contains(UInt8(ascii: "\n")) {
            let count = buffer.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        // "HTTP/1.1 202 Accepted"
        let fields = String(decoding: answer, as: UTF8.self).split(separator: " ", maxSplits: 2)
        return fields.count >= 2 ? Int(fields[1]) : nil
    }
}

/// A Transport that tells the forge stand-in about every push that moved the branch.
struct ForgeTransport: ForwardingTransport {
    let inner: any Transport
    let side: Timeline.Side
    let forge: ForgeStandIn

    func push(_ commit: ObjectID, expecting expected: ObjectID?) async throws -> PushOutcome {
        let outcome = try await inner.push(commit, expecting: expected)
        if outcome == .pushed(commit) { forge.pushed(by: side, commit: commit) }
        return outcome
    }
}
