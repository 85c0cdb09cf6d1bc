@testable import Giter
import GiterTesting
import Testing

/// A write that lost a race waits before it tries again; during that wait
/// the store's refreshes go on, and other writes still wait their turn.
@Suite("A write's backoff", .timeLimit(.minutes(2)))
struct WriteBackoffTests {
    @Test("a refresh passes a write waiting to retry, and a later write still goes after it")
    func aRefreshPassesAWriteInBackoffAndWritesKeepTheirOrder() async throws {
        // A backoff far longer than the test: it ends only by cancellation.
        let exchange = Exchange(retry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(600), maxDelay: .seconds(600)))
        let store = exchange.producerStore
        #expect(try await exchange.producer.apply(report("a")) == .created(generation: 1))
        exchange.remote.failNextPushes(1)
        let first = Task { try await store.write([.apply(report("a", schedule: "first"))]) }
        defer { first.cancel() }
        // The write lets the gate go right after it reports the lost race (nothing is awaited in between).
        let events = exchange.events
        try await withDeadline(.seconds(30)) {
            await events.waitFor { if case .pushRetried = $0 { true } else { false } }
        }

        // The refresh does not wait out the backoff (the time limit fails it if it does).
        _ = try await withDeadline(.seconds(30)) { try await store.refresh() }

        // A second write queues behind the first, not behind the refresh.
        let second = Task { try await store.write([.apply(report("a", schedule: "second"))]) }
        try await withDeadline(.seconds(30)) { await store.writeGate.waitForWaiters(1) }
        #expect(exchange.remote.successfulPushes == 1, "only the seed went through while the first write waits")
        first.cancel()
        await #expect(throws: CancellationError.self) { _ = try await first.value }
        #expect(try await second.value.outcomes == [.configured(generation: 2)])
        #expect(try await exchange.producer.get(report("a").key)?.resource.spec.schedule == "second")
        #expect(exchange.remote.successfulPushes == 2, "the seed and the second write; the first never pushed")
    }
}
