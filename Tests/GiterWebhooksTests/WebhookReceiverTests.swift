import Foundation
import Giter
import GiterWebhooks
import HTTPTypes
import Testing

/// Every provider over real HTTP on loopback: a good signature is a hint, a
/// bad or missing one is 401 and no hint, a body over 1 MiB is 413, a push
/// to another branch and a repeated delivery are acknowledged without a hint.
@Suite(.timeLimit(.minutes(2)))
struct WebhookReceiverTests {
    @Test(arguments: WebhookProvider.allCases)
    func aGoodSignatureIsOneHint(provider: WebhookProvider) async throws {
        let receiver = try WebhookReceiver(configuration: try testConfiguration(), notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        try await withLiveReceiver(receiver) { server in
            let body = pushPayload()
            let response = try await server.post(
                "/hooks/\(provider)",
                headers: signedHeaders(provider, body: body),
                body: body
            )
            #expect(response.status == .accepted)
            await hints.waitFor(1)
        }
        #expect(await hints.finish() == 1)
    }

    @Test(arguments: WebhookProvider.allCases)
    func aWrongSignatureIs401AndNoHint(provider: WebhookProvider) async throws {
        let receiver = try WebhookReceiver(configuration: try testConfiguration(), notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        try await withLiveReceiver(receiver) { server in
            let body = pushPayload()
            // Signed with another secret.
            let forged = signedHeaders(provider, body: body, secret: otherSecretText)
            let response = try await server.post("/hooks/\(provider)", headers: forged, body: body)
            #expect(response.status == .unauthorized)
            #expect(response.body.isEmpty, "a refusal says nothing of why")
            // Signed right, but the body changed on the way. (GitLab's token signs no body: nothing to check there.)
            if provider != .gitlab {
                let tampered = pushPayload(ref: "refs/heads/main ")
                let changed = try await server.post(
                    "/hooks/\(provider)",
                    headers: signedHeaders(provider, body: body),
                    body: tampered
                )
                #expect(changed.status == .unauthorized)
            }
        }
        #expect(await hints.finish() == 0)
    }

    @Test(arguments: WebhookProvider.allCases)
    func aMissingSignatureIs401AndNoHint(provider: WebhookProvider) async throws {
        let receiver = try WebhookReceiver(configuration: try testConfiguration(), notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        try await withLiveReceiver(receiver) { server in
            let body = pushPayload()
            let response = try await server.post(
                "/hooks/\(provider)",
                headers: withoutCredential(signedHeaders(provider, body: body)),
                body: body
            )
            #expect(response.status == .unauthorized)
        }
        #expect(await hints.finish() == 0)
    }

    @Test(arguments: WebhookProvider.allCases)
    func aBodyOverOneMebibyteIs413(provider: WebhookProvider) async throws {
        let receiver = try WebhookReceiver(configuration: try testConfiguration(), notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        try await withLiveReceiver(receiver) { server in
            // Exactly 1 MiB is read; one byte more is refused. Both are signed right.
            let prefix = Array(#"{"ref":"refs/heads/main","pad":""#.utf8)
            let suffix = Array(#""}"#.utf8)
            let fits =
                prefix + Array(repeating: UInt8(ascii: "a"), count: (1 << 20) - prefix.count - suffix.count) + suffix
            #expect(fits.count == 1 << 20)
            let accepted = try await server.post(
                "/hooks/\(provider)",
                headers: signedHeaders(provider, body: fits),
                body: fits
            )
            #expect(accepted.status == .accepted)
            await hints.waitFor(1)
            let over = fits + [UInt8(ascii: " ")]
            let refused = try await server.post(
                "/hooks/\(provider)",
                headers: signedHeaders(provider, body: over),
                body: over
            )
            #expect(refused.status == .contentTooLarge)
        }
        #expect(await hints.finish() == 1)
    }

    @Test(arguments: WebhookProvider.allCases)
    func aPushToAnotherBranchIsNoHint(provider: WebhookProvider) async throws {
        let receiver = try WebhookReceiver(configuration: try testConfiguration(), notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        try await withLiveReceiver(receiver) { server in
            for ref in ["refs/heads/feature", "refs/tags/main", "refs/heads/main-old"] {
                let body = pushPayload(ref: ref)
                let response = try await server.post(
                    "/hooks/\(provider)",
                    headers: signedHeaders(provider, body: body),
                    body: body
                )
                #expect(response.status == .noContent, "\(ref)")
            }
        }
        #expect(await hints.finish() == 0)
    }

    @Test(arguments: WebhookProvider.allCases)
    func aRepeatedDeliveryIsNoSecondHint(provider: WebhookProvider) async throws {
        let receiver = try WebhookReceiver(configuration: try testConfiguration(), notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        try await withLiveReceiver(receiver) { server in
            let body = pushPayload()
            let headers = signedHeaders(provider, body: body, deliveryID: "delivery-1")
            let first = try await server.post("/hooks/\(provider)", headers: headers, body: body)
            #expect(first.status == .accepted)
            await hints.waitFor(1)
            let again = try await server.post("/hooks/\(provider)", headers: headers, body: body)
            #expect(again.status == .noContent)
            // Another delivery of the same content is a new hint.
            let next = try await server.post(
                "/hooks/\(provider)",
                headers: signedHeaders(provider, body: body, deliveryID: "delivery-2"),
                body: body
            )
            #expect(next.status == .accepted)
            await hints.waitFor(2)
        }
        #expect(await hints.finish() == 2)
    }

    @Test(arguments: [Int64(-301), 301, -86_400, 86_400])
    func aStaleOrFutureStandardWebhooksTimestampIs401(offset: Int64) async throws {
        let receiver = try WebhookReceiver(configuration: try testConfiguration(), notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        try await withLiveReceiver(receiver) { server in
            let body = pushPayload()
            let stale = signedHeaders(.generic, body: body, timestamp: testNow + offset)
            let response = try await server.post("/hooks/generic", headers: stale, body: body)
            #expect(response.status == .unauthorized)
            // Within the tolerance, either way, it holds.
            let edge = signedHeaders(.generic, body: body, timestamp: testNow + (offset < 0 ? -300 : 300))
            let fine = try await server.post("/hooks/generic", headers: edge, body: body)
            #expect(fine.status == .accepted)
            await hints.waitFor(1)
        }
        #expect(await hints.finish() == 1)
    }

    @Test func rotationAcceptsEverySecretGiven() async throws {
        let configuration = try testConfiguration(secrets: [otherSecretText, testSecretText])
        let receiver = try WebhookReceiver(configuration: configuration, notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        try await withLiveReceiver(receiver) { server in
            for (index, secret) in [testSecretText, otherSecretText].enumerated() {
                let body = pushPayload()
                let headers = signedHeaders(.github, body: body, secret: secret)
                let status1 = try await server.post("/hooks/github", headers: headers, body: body).status
                #expect(status1 == .accepted)
                await hints.waitFor(index + 1)
            }
        }
        #expect(await hints.finish() == 2)
    }

    @Test func aPayloadWithoutARefIsAHint() async throws {
        let receiver = try WebhookReceiver(configuration: try testConfiguration(), notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        try await withLiveReceiver(receiver) { server in
            let bodies = [
                Array(#"{"push":{"changes":[]}}"#.utf8), Array("payload=not-json".utf8), Array(#"{"ref":7}"#.utf8),
            ]
            for (index, body) in bodies.enumerated() {
                let response = try await server.post(
                    "/hooks/bitbucket",
                    headers: signedHeaders(.bitbucket, body: body),
                    body: body
                )
                #expect(response.status == .accepted)
                await hints.waitFor(index + 1)
            }
        }
        #expect(await hints.finish() == 3)
    }

    @Test func anUnknownOrUnconfiguredProviderIs404() async throws {
        let secret = try WebhookSecret(testSecretText)
        let configuration = WebhookConfiguration(branch: "main", secrets: [.github: [secret]])
        let receiver = try WebhookReceiver(configuration: configuration, notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        try await withLiveReceiver(receiver) { server in
            let body = pushPayload()
            let status2 = try await server.post(
                "/hooks/gitlab",
                headers: signedHeaders(.gitlab, body: body),
                body: body
            ).status
            #expect(status2 == .notFound)
            let status3 = try await server.post("/hooks/svn", headers: signedHeaders(.github, body: body), body: body)
                .status
            #expect(status3 == .notFound)
            let status4 = try await server.get("/healthz").status
            #expect(status4 == .ok)
        }
        #expect(await hints.finish() == 0)
    }
}
