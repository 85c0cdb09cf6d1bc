import Foundation
@testable import Giter
import GiterTesting
import Synchronization
import Testing

/// A reconciler whose behaviour each test scripts, and that records what it saw.
final class ScriptedReconciler: Reconciler {
    struct Call: Sendable {
        var key: ResourceKey
        var generation: Int64
        var schedule: String
        var attempt: Int
        var idempotencyKey: String
    }

    typealias Script = @Sendable (Report, ReconcileContext) async throws -> ReconcileResult<TestStatus>

    private struct State {
        var calls: [Call] = []
        var running: [ResourceKey: Int] = [:]
        var overlaps = 0
        var inFlight = 0
        var mostInFlight = 0
    }

    private let script: Script
    private let state = Mutex(State())
    /// One element per call, so that a test can await calls instead of polling.
    private let started: AsyncStream<Void>
    private let startedInput: AsyncStream<Void>.Continuation

    init(_ script: @escaping Script = { report, _ in .done(readyStatus(report.spec.schedule)) }) {
        self.script = script
        (started, startedInput) = AsyncStream.makeStream()
    }

    var calls: [Call] { state.withLock { $0.calls } }
    /// How many times two reconciles of one key overlapped.
    var overlaps: Int { state.withLock { $0.overlaps } }
    /// Reconciles running now.
    var inFlight: Int { state.withLock { $0.inFlight } }
    /// The most reconciles that ran at once.
    var mostInFlight: Int { state.withLock { $0.mostInFlight } }

    /// Returns once the reconciler has been called `count` times in all
    /// (or the task is cancelled). One waiting task at a time.
    func waitForCalls(_ count: Int) async {
        if calls.count >= count { return }
        for await _ in started where calls.count >= count { return }
    }

    func reconcile(_ resource: Report, context: ReconcileContext) async throws -> ReconcileResult<TestStatus> {
        state.withLock { state in
            state.calls.append(
                Call(key: context.key, generation: context.generation, schedule: resource.spec.schedule,
                     attempt: context.attempt, idempotencyKey: context.idempotencyKey))
            state.running[context.key, default: 0] += 1
            if state.running[context.key, default: 0] > 1 { state.overlaps += 1 }
            state.inFlight += 1
            state.mostInFlight = max(state.mostInFlight, state.inFlight)
        }
        startedInput.yield()
        defer {
            state.withLock { state in
                state.running[context.key, default: 0] -= 1
                state.inFlight -= 1
            }
        }
        return try await script(resource, context)
    }
}

/// Runs a controller until the body returns, then shuts it down and waits
/// for it; the whole fails after `limit` instead of hanging.
func withController<Result: Sendable>(
    _ exchange: Exchange, _ reconciler: ScriptedReconciler, options: ControllerOptions = fastOptions,
    store: GitResourceStore<Report>? = nil, clock: any Clock<Duration> = ContinuousClock(),
    limit: Duration = .seconds(120), sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ body: @escaping @Sendable (Controller<ScriptedReconciler>) async throws -> Result
) async throws -> Result {
    let controller = Controller(
        store: store ?? exchange.consumerStore, reconciler: reconciler, options: options, clock: clock)
    return try await withDeadline(limit, sourceLocation: sourceLocation) {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await controller.run() }
            defer { controller.shutdown() }
            let result = try await body(controller)
            controller.shutdown()
            try await group.waitForAll()
            return result
        }
    }
}

let fastOptions = ControllerOptions(
    pollInterval: .milliseconds(20), maxConcurrentReconciles: 4, statusWriteWindow: .milliseconds(10),
    errorBackoff: RetryPolicy(initialDelay: .milliseconds(5), maxDelay: .milliseconds(20)))

/// Options for a controller on a `TestClock`: no jitter, polls an hour
/// apart (so that only what a test advances to fires), no write window.
let clockOptions = ControllerOptions(
    pollInterval: .seconds(3600), pollJitter: 0, maxConcurrentReconciles: 4, statusWriteWindow: .zero,
    errorBackoff: RetryPolicy(initialDelay: .seconds(10), maxDelay: .seconds(25)))

@Suite("Controller over an in-memory remote")
struct ControllerTests {
    let exchange = Exchange()

    @Test func reconcilesEveryResourceAndCoalescesStatusWrites() async throws {
        let names = (0..<40).map { "r\($0)" }
        try await exchange.producer.apply(names.map { report($0) })
        let pushesBefore = exchange.remote.successfulPushes
        let reconciler = ScriptedReconciler()
        try await withController(exchange, reconciler) { controller in
            let ready = try await exchange.producer.waitAll(for: names.map { report($0).key }, timeout: .seconds(120))
            #expect(ready.allSatisfy { $0.resource.status?.observedGeneration == 1 && $0.isStatusCurrent })
        }
        #expect(Set(reconciler.calls.map(\.key.name)) == Set(names))
        #expect(reconciler.calls.count == names.count, "each resource once")
        let statusCommits = exchange.remote.successfulPushes - pushesBefore
        #expect(statusCommits < names.count / 2, "statuses are batched: \(statusCommits) commits for \(names.count)")
        #expect(reconciler.overlaps == 0)
    }

    @Test func aSpecChangedDuringReconcileIsNotReportedAsObserved() async throws {
        let key = report("a").key
        try await exchange.producer.apply(report("a"))
        let producer = exchange.producer
        let reconciler = ScriptedReconciler { report, context in
            if context.generation == 1 {
                // The producer moves on while generation 1 is being worked on.
                try await producer.apply(reportNamed("a", schedule: "@daily"))
            }
            return .done(readyStatus(report.spec.schedule))
        }
        try await withController(exchange, reconciler) { _ in
            let done = try await exchange.producer.wait(for: key, timeout: .seconds(120))
            #expect(done.resource.metadata.generation == 2)
            #expect(done.resource.status?.observedGeneration == 2)
            #expect(done.resource.status?.url == "https://example.com/@daily")
        }
        #expect(reconciler.calls.map(\.generation) == [1, 2])
    }

    @Test func errorsAreRetriedWithBackoffAndTerminalErrorsStop() async throws {
        try await exchange.producer.apply([report("flaky"), report("broken")])
        let reconciler = ScriptedReconciler { report, context in
            if report.metadata.name == "broken" {
                throw TerminalError(reason: "InvalidSchedule", message: "cannot run \(report.spec.schedule)")
            }
            if context.attempt < 3 { throw CancellationLikeError() }
            return .done(readyStatus())
        }
        try await withController(exchange, reconciler) { controller in
            _ = try await exchange.producer.wait(for: report("flaky").key, timeout: .seconds(120))
            do {
                _ = try await exchange.producer.wait(for: report("broken").key, timeout: .seconds(120))
                Issue.record("a terminal error must end the wait")
            } catch let error as ProducerError {
                #expect(error.code == .failed)
                #expect(error.message.contains("InvalidSchedule"))
            }
            // More checks of the remote do not retry the broken one.
            controller.trigger()
            await controller.waitUntilIdle()
            #expect(reconciler.calls.filter { $0.key.name == "broken" }.count == 1)

            // A new spec is tried again.
            try await exchange.producer.apply(report("broken", schedule: "@daily"))
            controller.trigger()
            await controller.waitUntilIdle()
            #expect(reconciler.calls.filter { $0.key.name == "broken" }.map(\.generation) == [1, 2])
        }
        #expect(reconciler.calls.filter { $0.key.name == "flaky" }.map(\.attempt) == [1, 2, 3])
        let broken = try #require(try await exchange.producer.get(report("broken").key))
        #expect(broken.resource.status?.isTrue("Stalled") == true)
        #expect(broken.resource.status?.condition(ofType: "Ready")?.status == .false)
    }

    @Test func aSpecChangedWithoutAGenerationBumpIsReconciledAgain() async throws {
        let key = report("a").key
        try await exchange.producer.apply(report("a"))
        let reconciler = ScriptedReconciler()
        try await withController(exchange, reconciler) { controller in
            _ = try await exchange.producer.wait(for: key, timeout: .seconds(120))
            // A producer outside Giter edits the spec and forgets the generation.
            let text = try #require(try await exchange.file(key.repositoryPath))
            let edited = text.replacingSchedule(with: "@weekly")
            try exchange.remote.forgeCommit(
                author: Signature(name: "Report producer", email: producerIdentity.email),
                edits: [.write(path: key.repositoryPath, contents: Array(edited.utf8))])
            // A trigger, then idle: the check it asked for, and what that queued, are done.
            controller.trigger()
            await controller.waitUntilIdle()
        }
        #expect(reconciler.calls.map(\.schedule) == ["0 2 * * *", "@weekly"])
        #expect(reconciler.calls.map(\.generation) == [1, 1])
        #expect(try await exchange.producer.get(key)?.resource.status?.url == "https://example.com/@weekly")
    }

    @Test func aRestartedConsumerResumesFromTheRepositoryAlone() async throws {
        let names = (0..<10).map { "r\($0)" }
        try await exchange.producer.apply(names.map { report($0) })
        let first = ScriptedReconciler()
        try await withController(exchange, first) { _ in
            _ = try await exchange.producer.waitAll(for: names.map { report($0).key }, timeout: .seconds(120))
        }
        try await exchange.producer.apply(report("r3", schedule: "@daily"))

        // A new process: new store, new controller, nothing remembered.
        let second = ScriptedReconciler()
        let store = exchange.makeStore(identity: consumerIdentity)
        try await withController(exchange, second, store: store) { controller in
            _ = try await exchange.producer.wait(for: report("r3").key, timeout: .seconds(120))
            await controller.waitUntilIdle()
        }
        #expect(second.calls.map(\.key.name) == ["r3"], "only what is not current is reconciled again")
        #expect(second.calls.first?.idempotencyKey.hasSuffix("/2") == true)
    }

    @Test func shutdownPushesPendingStatuses() async throws {
        try await exchange.producer.apply([report("a"), report("b")])
        let pushesBefore = exchange.remote.successfulPushes
        let reconciler = ScriptedReconciler()
        let slowWrites = ControllerOptions(
            pollInterval: .milliseconds(20), statusWriteWindow: .seconds(3600))
        let clock = TestClock()
        try await withController(exchange, reconciler, options: slowWrites, clock: clock) { _ in
            await reconciler.waitForCalls(2)
            // The statuses wait for a window the clock never reaches.
            #expect(exchange.remote.successfulPushes == pushesBefore)
        }
        let statuses = try await exchange.producer.list().map { $0.resource.status?.isTrue("Ready") }
        #expect(statuses == [true, true])
    }

    @Test func statusesBeyondOneCommitsLimitGoInFurtherCommitsWithoutWaitingForTheWindow() async throws {
        let names = (0..<9).map { "r\($0)" }
        try await exchange.producer.apply(names.map { report($0) })
        let before = try #require(exchange.remote.tip())
        let reconciler = ScriptedReconciler()
        var options = ControllerOptions(pollInterval: .milliseconds(20), statusWriteWindow: .seconds(3600))
        options.maxStatusesPerCommit = 3
        // The window's clock is never advanced: only a full commit's worth is written while the controller runs.
        // Each commit takes exactly 3, so 9 statuses leave none waiting, in whatever order the reconciles end.
        try await withController(exchange, reconciler, options: options, clock: TestClock()) { _ in
            let ready = try await exchange.producer.waitAll(for: names.map { report($0).key }, timeout: .seconds(120))
            #expect(ready.allSatisfy { $0.resource.status?.isTrue("Ready") == true })
        }
        #expect(reconciler.calls.count == names.count)
        let transport = exchange.remote.transport()
        let tip = try #require(exchange.remote.tip())
        let commits = try await transport.commits(from: tip, excluding: before, limit: nil)
        var written: [Int] = []
        for commit in commits {
            written.append(try await transport.changes(from: commit.parents.first, to: commit.id, under: nil).count)
        }
        #expect(written == [3, 3, 3], "three commits of three statuses: \(written)")
    }

    @Test func statusesTooManyForOneCommitAreWrittenFromWhereTheLastCommitEnded() {
        let keys = ["a", "b", "c", "d", "e"].map { report($0).key }
        #expect(statusWritingOrder(keys.shuffled(), after: nil) == keys)
        #expect(statusWritingOrder(keys.shuffled(), after: keys[1]) == Array(keys[2...] + keys[..<2]))
        #expect(statusWritingOrder(keys.shuffled(), after: keys[4]) == keys, "after the last key: from the first")
        // A key no longer pending still marks where the next commit starts.
        let others = [keys[0], keys[1], keys[3]]
        #expect(statusWritingOrder(others, after: keys[2]) == [keys[3], keys[0], keys[1]])
    }

    @Test func workInProgressWhenAControllerStoppedIsPickedUpAgain() async throws {
        try await exchange.producer.apply(report("a"))
        let first = ScriptedReconciler { _, _ in
            var status = TestStatus()
            status.conditions.setCondition(Condition(type: "Running", status: .true, reason: "Started"))
            return .requeue(status, after: .seconds(3600))
        }
        try await withController(exchange, first) { controller in
            await controller.waitUntilIdle()
        }
        #expect(try await exchange.producer.get(report("a").key)?.resource.status?.isTrue("Running") == true)
        // A new controller: the status describes the spec but is not finished.
        let second = ScriptedReconciler()
        try await withController(exchange, second, store: exchange.makeStore(identity: consumerIdentity)) { _ in
            _ = try await exchange.producer.wait(for: report("a").key, timeout: .seconds(120))
        }
        #expect(second.calls.count == 1)
    }

    @Test func aFileThatIsNotAValidResourceGetsAFailedStatus() async throws {
        try await exchange.producer.apply(report("a"))
        let key = report("a").key
        let text = try #require(try await exchange.file(key.repositoryPath))
        let broken = text.replacingOccurrences(of: "retries: 3", with: "retries: three")
        try exchange.remote.forgeCommit(
            author: Signature(name: "Report producer", email: producerIdentity.email),
            edits: [.write(path: key.repositoryPath, contents: Array(broken.utf8))])
        let reconciler = ScriptedReconciler()
        try await withController(exchange, reconciler) { controller in
            await controller.waitUntilIdle()
        }
        let final = try #require(try await exchange.file(key.repositoryPath))
        #expect(final.hasPrefix(broken), "the producer's bytes stay")
        #expect(final.contains("reason: InvalidSpec"))
        #expect(final.contains("spec.retries"), "the message names the field: \(final)")
        #expect(reconciler.calls.isEmpty)
    }

    @Test func requeueAfterReconcilesAgainOnceTheDelayHasPassed() async throws {
        try await exchange.producer.apply(report("a"))
        let reconciler = ScriptedReconciler { _, _ in .requeue(readyStatus(), after: .seconds(30)) }
        let clock = TestClock()
        try await withController(exchange, reconciler, options: clockOptions, clock: clock) { controller in
            await controller.waitUntilIdle()
            for round in 1...3 {
                #expect(reconciler.calls.count == round)
                // The poll and the requeue wait on the clock; nothing else runs.
                try await clock.waitForSleepers(2)
                clock.advance(by: .seconds(29))
                #expect(clock.sleeperCount == 2, "not yet")
                #expect(reconciler.calls.count == round)
                clock.advance(by: .seconds(1))
                await reconciler.waitForCalls(round + 1)
                await controller.waitUntilIdle()
            }
        }
        #expect(reconciler.calls.count == 4)
        #expect(reconciler.overlaps == 0)
    }
}

struct CancellationLikeError: Error {}

func reportNamed(_ name: String, schedule: String) -> Report { report(name, schedule: schedule) }

extension String {
    func replacingSchedule(with schedule: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("  schedule:") ? "  schedule: '\(schedule)'" : String(line)
        }.joined(separator: "\n")
    }
}
