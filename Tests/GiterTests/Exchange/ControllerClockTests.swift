import Giter
import GiterTesting
import Synchronization
import Testing

/// The controller's timing, driven by test clocks: nothing here sleeps,
/// and every wait has a deadline.
@Suite("Controller on a test clock")
struct ControllerClockTests {
    let exchange = Exchange()

    @Test func atMostTheLimitOfReconcilesRunAtOnceAndTheLimitIsReached() async throws {
        let names = (0..<10).map { "r\($0)" }
        try await exchange.producer.apply(names.map { report($0) })
        // Each reconcile works until the test advances the work clock.
        let work = TestClock()
        let reconciler = ScriptedReconciler { report, _ in
            try await work.sleep(for: .seconds(1))
            return .done(readyStatus(report.spec.schedule))
        }
        var options = clockOptions
        options.maxConcurrentReconciles = 3
        try await withController(exchange, reconciler, options: options, clock: TestClock()) { controller in
            var started = 0
            for batch in [3, 3, 3, 1] {
                started += batch
                try await work.waitForSleepers(batch)
                await reconciler.waitForCalls(started)
                #expect(reconciler.inFlight == batch)
                #expect(work.sleeperCount == batch)
                work.advance(by: .seconds(1))
            }
            await controller.waitUntilIdle()
        }
        #expect(reconciler.mostInFlight == 3, "the limit is reached and never passed")
        #expect(Set(reconciler.calls.map(\.key.name)) == Set(names))
        #expect(reconciler.calls.count == names.count)
    }

    @Test func oneKeyIsNeverReconciledTwiceAtOnceEvenWhenAChangeArrivesMidReconcile() async throws {
        let key = report("a").key
        try await exchange.producer.apply(report("a"))
        let work = TestClock()
        let reconciler = ScriptedReconciler { report, _ in
            try await work.sleep(for: .seconds(1))
            return .done(readyStatus(report.spec.schedule))
        }
        let clock = TestClock()
        try await withController(exchange, reconciler, options: clockOptions, clock: clock) { controller in
            try await work.waitForSleepers(1)  // generation 1 is being reconciled
            try await exchange.producer.apply(report("a", schedule: "@daily"))
            controller.trigger()
            // A poll too; once it is armed again, a check that started after the change has been applied.
            try await clock.waitForSleepers(1)
            clock.advance(by: clockOptions.pollInterval)
            try await clock.waitForSleepers(1)
            #expect(reconciler.calls.count == 1, "generation 2 waits for generation 1")
            #expect(reconciler.inFlight == 1)

            work.advance(by: .seconds(1))
            try await work.waitForSleepers(1)  // generation 2, after generation 1 ended
            #expect(reconciler.inFlight == 1)
            work.advance(by: .seconds(1))
            await controller.waitUntilIdle()
        }
        #expect(reconciler.calls.map(\.generation) == [1, 2])
        #expect(reconciler.overlaps == 0)
        #expect(try await exchange.producer.get(key)?.resource.status?.url == "https://example.com/@daily")
    }

    @Test func errorsAreRetriedOnlyAfterTheirCappedBackoffHasPassed() async throws {
        try await exchange.producer.apply(report("flaky"))
        let reconciler = ScriptedReconciler { _, context in
            if context.attempt < 4 { throw CancellationLikeError() }
            return .done(readyStatus())
        }
        let clock = TestClock()
        let policy = clockOptions.errorBackoff
        try await withController(exchange, reconciler, options: clockOptions, clock: clock) { controller in
            for failures in 1...3 {
                await reconciler.waitForCalls(failures)
                // The poll (an hour away) and the retry.
                try await clock.waitForSleepers(2)
                let retry = try #require(clock.deadlines.first)
                let delay = clock.now.duration(to: retry)
                #expect(delay <= policy.bound(afterFailures: failures))
                #expect(delay <= policy.maxDelay)
                if delay > .zero {
                    clock.advance(to: retry.advanced(by: .nanoseconds(-1)))
                    #expect(clock.sleeperCount == 2, "not yet")
                    #expect(reconciler.calls.count == failures)
                }
                clock.advance(to: retry)
            }
            await reconciler.waitForCalls(4)
            await controller.waitUntilIdle()
        }
        #expect(reconciler.calls.map(\.attempt) == [1, 2, 3, 4])
        #expect(try await exchange.producer.get(report("flaky").key)?.resource.status?.isTrue("Ready") == true)
    }

    /// A status write that finds the branch locked is not retried at every
    /// window like a lost race: the next waits the error backoff, growing.
    @Test func aBranchThatStaysLockedIsWrittenAgainOnlyAfterABackoff() async throws {
        let exchange = Exchange(
            retry: RetryPolicy(
                maxAttempts: 6, initialDelay: .milliseconds(1), maxDelay: .milliseconds(5), lockPatience: .zero))
        try await exchange.producer.apply(report("a"))
        exchange.remote.failNextPushes(2, with: .locked("the ref lock /srv/x.git/refs/heads/main.lock is held"))
        let reconciler = ScriptedReconciler()
        let clock = TestClock()
        let policy = clockOptions.errorBackoff
        try await withController(exchange, reconciler, options: clockOptions, clock: clock) { controller in
            for failures in 1...2 {
                // The poll is an hour away; the next status write is armed after the failed one. Only a deadline
                // well before the poll is that write: under load the set may hold the poll alone (or another
                // sleeper) for a moment.
                let write = try await withDeadline {
                    while true {
                        let now = clock.now
                        if let next = clock.deadlines.filter({ $0 > now && now.duration(to: $0) < .seconds(1800) }).min() {
                            return next
                        }
                        try Task.checkCancellation()
                        await Task.yield()
                    }
                }
                #expect(clock.now.duration(to: write) == policy.bound(afterFailures: failures))
                #expect(try await exchange.producer.get(report("a").key)?.resource.status == nil)
                clock.advance(to: write)
            }
            await controller.waitUntilIdle()
        }
        #expect(try await exchange.producer.get(report("a").key)?.resource.status?.isTrue("Ready") == true)
    }

    @Test func runReturnsOnShutdownWithEveryTaskEnded() async throws {
        try await exchange.producer.apply(report("a"))
        let reconciler = ScriptedReconciler { _, _ in .requeue(readyStatus(), after: .seconds(3600)) }
        let clock = TestClock()
        let controller = Controller(
            store: exchange.consumerStore, reconciler: reconciler, options: clockOptions, clock: clock)
        // An event source that never ends by itself.
        let (events, input) = AsyncStream.makeStream(of: Void.self)
        let sourceEnded = Flag()
        input.onTermination = { _ in sourceEnded.set() }
        await controller.addEventSource(events)
        try await withDeadline {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                await controller.waitUntilIdle()
                try await clock.waitForSleepers(2)  // the poll and the requeue
                controller.shutdown()
                try await group.waitForAll()
            }
        }
        #expect(clock.sleeperCount == 0, "the timers ended with run()")
        #expect(sourceEnded.isSet, "the event source ended with run()")
        #expect(await controller.isIdle)
    }

    @Test func cancellingRunStillPushesTheStatusesItHas() async throws {
        try await exchange.producer.apply([report("a"), report("b")])
        let reconciler = ScriptedReconciler()
        var options = clockOptions
        options.statusWriteWindow = .seconds(3600)
        let clock = TestClock()
        let pushesBefore = exchange.remote.successfulPushes
        let controller = Controller(
            store: exchange.consumerStore, reconciler: reconciler, options: options, clock: clock)
        try await withDeadline {
            let running = Task { try await controller.run() }
            await reconciler.waitForCalls(2)
            try await clock.waitForSleepers(2)  // the poll and the write window: both statuses wait
            #expect(exchange.remote.successfulPushes == pushesBefore)
            running.cancel()
            try await running.value
        }
        #expect(exchange.remote.successfulPushes == pushesBefore + 1)
        let statuses = try await exchange.producer.list().map { $0.resource.status?.isTrue("Ready") }
        #expect(statuses == [true, true])
    }

    @Test func aTriggerBeforeRunIsHonouredAndAShutdownBeforeRunEndsItAtOnce() async throws {
        let controller = Controller(
            store: exchange.consumerStore, reconciler: ScriptedReconciler(), options: clockOptions, clock: TestClock())
        controller.trigger()
        controller.shutdown()
        try await withDeadline { try await controller.run() }
        await controller.waitUntilIdle()  // returns: run() ended
    }
}

/// A flag set from any task.
final class Flag: Sendable {
    private let value = Mutex(false)

    func set() { value.withLock { $0 = true } }

    var isSet: Bool { value.withLock { $0 } }
}
