import Giter
import GiterWebhooks
import HTTPTypes
import Testing

/// A body sent in chunks, with no `Content-Length` to refuse it by: the
/// receiver stops at the bound while reading and answers 413.
@Suite(.timeLimit(.minutes(1)))
struct StreamedBodyTests {
    @Test func aChunkedBodyOverTheBoundIs413() async throws {
        let receiver = try WebhookReceiver(configuration: try testConfiguration(), notifier: ChangeNotifier())
        let hints = HintCounter(receiver.notifier)
        let body = pushPayload()
        let answer = try await withLiveReceiver(receiver) { server in
            try await RawHTTP.postChunked(
                port: server.port, path: "/hooks/github", headers: signedHeaders(.github, body: body),
                totalBytes: 2 << 20)
        }
        #expect(answer.status == .contentTooLarge)
        #expect(await hints.finish() == 0)
    }
}
