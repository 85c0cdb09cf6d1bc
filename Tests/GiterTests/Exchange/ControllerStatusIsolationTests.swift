@testable import Giter
import GiterTesting
import Synchronization
import Testing

/// A store whose writes fail while they hold the status of one resource,
/// `failures` times: they throw (a failure of the whole write, such as a
/// transport error: never one status's own, which the store fails alone,
/// as outcomes), or, `notAppliedAlone`, write the others and answer
/// `notApplied` for that status (as a store that pushed it apart could).
final class FailingStatusWrites<Base: ResourceStore>: ResourceStore, Sendable where Base: Sendable {
    typealias Resource = Base.Resource
    struct WriteFailed: Error {}

    let base: Base
    let failing: ResourceKey
    let notAppliedAlone: Bool
    private let left: Mutex<Int>
    private let log = Mutex<[[ResourceKey]]>([])

    init(_ base: Base, failing: ResourceKey, failures: Int, notAppliedAlone: Bool = false) {
        self.base = base
        self.failing = failing
        self.notAppliedAlone = notAppliedAlone
        left = Mutex(failures)
    }

    /// The keys of each write that succeeded, in order.
    var written: [[ResourceKey]] { log.withLock { $0 } }

    var resourceType: ResourceType { base.resourceType }
    var identity: ExchangeIdentity { base.identity }
    func remoteMoved() async throws -> Bool { try await base.remoteMoved() }
    func refresh() async throws -> StoreRevision? { try await base.refresh() }
    func revision() async -> StoreRevision? { await base.revision() }
    func get(_ key: ResourceKey) async throws -> StoredResource<Resource>? { try await base.get(key) }
    func list(_ query: ResourceQuery) async throws -> [StoredResource<Resource>] { try await base.list(query) }
    func changes(since revision: StoreRevision?) async throws -> ResourceChanges<Resource> {
        try await base.changes(since: revision)
    }
    func write(_ writes: [ResourceWrite<Resource>]) async throws -> WriteResult {
        let fail =
            writes.contains { $0.key == failing }
            && left.withLock { left in
                defer { left = max(0, left - 1) }
                return left > 0
            }
        if fail && notAppliedAlone {
            let others = writes.filter { $0.key != failing }
            var result = WriteResult(outcomes: [], revision: nil, attempts: 0)
            if !others.isEmpty {
                result = try await base.write(others)
                log.withLock { $0.append(others.map(\.key)) }
            }
            guard let index = writes.firstIndex(where: { $0.key == failing }) else { throw WriteFailed() }
            result.outcomes.insert(.notApplied("not written (a test's failure)"), at: index)
            return result
        }
        if fail { throw WriteFailed() }
        let result = try await base.write(writes)
        log.withLock { $0.append(writes.map(\.key)) }
        return result
    }
}

/// Events a controller reported.
final class ControllerEventLog: Sendable {
    private let events = Mutex<[ControllerEvent]>([])
    func append(_ event: ControllerEvent) { events.withLock { $0.append(event) } }
    var all: [ControllerEvent] { events.withLock { $0 } }
    var notWritten: [(ResourceKey, Duration)] {
        all.compactMap { if case .statusNotWritten(let key, _, let delay) = $0 { (key, delay) } else { nil } }
    }
}

/// A status that refuses to encode when `refuse` is set: a value no store can write.
struct PickyStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var refuse = false

    enum CodingKeys: String, CodingKey { case observedGeneration, conditions }

    func encode(to encoder: any Encoder) throws {
        guard !refuse else {
            throw EncodingError.invalidValue(
                self, EncodingError.Context(codingPath: encoder.codingPath, debugDescription: "this status is refused"))
        }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(observedGeneration, forKey: .observedGeneration)
        try container.encode(conditions, forKey: .conditions)
    }
}

typealias PickyReport = CustomResource<ReportSpec, PickyStatus>

struct PickyReconciler: Reconciler {
    func reconcile(_ resource: PickyReport, context: ReconcileContext) async throws -> ReconcileResult<PickyStatus> {
        .done(PickyStatus(refuse: true))
    }
}

@Suite("Controller: a status never holds the others; a write that fails as a whole waits as a whole")
struct ControllerStatusIsolationTests {
    /// Waits until `count` statuses are pending and the write window's
    /// timer is armed on `clock`, then ends the window: they go in one
    /// write. With no window, the first status would be written at once,
    /// alone or not as the reconciles happen to end (CI's load made first
    /// writes of one status).
    func writeWhenPending<R: Reconciler>(
        _ count: Int, _ controller: Controller<R>, clock: TestClock, window: Duration
    ) async throws {
        let start = clock.now
        try await withDeadline {
            while await controller.pending.count < count || !clock.deadlines.contains(start.advanced(by: window)) {
                try Task.checkCancellation()
                await Task.yield()
            }
        }
        clock.advance(by: window)
    }

    /// The next status write the controller armed after a failed one: a
    /// timer seconds to minutes away, where the poll's is an hour away. (Two
    /// timers are not enough to tell: for a moment the poll's old timer and
    /// its new one are both armed, and the first of them was taken for the
    /// write, 2 runs in 8.)
    func nextWrite(on clock: TestClock) async throws -> TestClock.Instant {
        try await withDeadline {
            while true {
                let now = clock.now
                let write = clock.deadlines.first { deadline in
                    let distance = now.duration(to: deadline)
                    return distance >= .seconds(1) && distance < .seconds(1800)
                }
                if let write { return write }
                try Task.checkCancellation()
                await Task.yield()
            }
        }
    }

    /// A write that throws is never one status's own (the store fails
    /// those alone): the whole batch waits the error backoff, growing, and
    /// is written again whole — never one status per write.
    @Test func aWriteThatThrowsIsWrittenAgainWholeAfterABackoff() async throws {
        let exchange = Exchange()
        let names = ["a", "b", "c"]
        try await exchange.producer.apply(names.map { report($0) })
        let store = FailingStatusWrites(exchange.consumerStore, failing: report("b").key, failures: 2)
        let clock = TestClock()
        let events = ControllerEventLog()
        var options = clockOptions
        options.eventHandler = { events.append($0) }
        // Every status in the first write, whatever the order the reconciles end in (see writeWhenPending).
        options.statusWriteWindow = .seconds(1)
        let policy = options.errorBackoff
        let window = options.statusWriteWindow
        let controller = Controller(store: store, reconciler: ScriptedReconciler(), options: options, clock: clock)
        try await withDeadline(.seconds(60)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                defer { controller.shutdown() }
                try await writeWhenPending(names.count, controller, clock: clock, window: window)
                for failures in 1...2 {
                    let write = try await nextWrite(on: clock)
                    #expect(clock.now.duration(to: write) == policy.bound(afterFailures: failures))
                    #expect(store.written.isEmpty, "nothing written one by one")
                    clock.advance(to: write)
                }
                await controller.waitUntilIdle()
                controller.shutdown()
                try await group.waitForAll()
            }
        }
        let keys = names.map { report($0).key }
        #expect(store.written == [keys])
        #expect(events.notWritten.map(\.0) == keys + keys)
        #expect(events.notWritten.map(\.1) == [1, 1, 1, 2, 2, 2].map { policy.bound(afterFailures: $0) })
        for name in names {
            let stored = try await exchange.producer.get(report(name).key)
            #expect(stored?.resource.status?.isTrue("Ready") == true, "\(name)")
        }
    }

    /// A push that keeps losing is `notApplied` for every write of the
    /// batch: the batch waits the error backoff as a whole, not each
    /// status on its own timer.
    @Test func aBatchNotAppliedIsWrittenAgainWholeAfterABackoff() async throws {
        let exchange = Exchange(
            retry: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(1), maxDelay: .milliseconds(2)))
        let names = ["a", "b"]
        try await exchange.producer.apply(names.map { report($0) })
        // Two attempts per write: two writes that give up.
        exchange.remote.failNextPushes(4)
        let clock = TestClock()
        let events = ControllerEventLog()
        var options = clockOptions
        options.eventHandler = { events.append($0) }
        // Every status in the first write, whatever the order the reconciles end in (see writeWhenPending).
        options.statusWriteWindow = .seconds(1)
        let policy = options.errorBackoff
        let window = options.statusWriteWindow
        let pushesBefore = exchange.remote.successfulPushes
        let controller = Controller(
            store: exchange.consumerStore, reconciler: ScriptedReconciler(), options: options, clock: clock)
        try await withDeadline(.seconds(60)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                defer { controller.shutdown() }
                try await writeWhenPending(names.count, controller, clock: clock, window: window)
                for failures in 1...2 {
                    let write = try await nextWrite(on: clock)
                    #expect(clock.now.duration(to: write) == policy.bound(afterFailures: failures))
                    clock.advance(to: write)
                }
                await controller.waitUntilIdle()
                controller.shutdown()
                try await group.waitForAll()
            }
        }
        #expect(exchange.remote.successfulPushes == pushesBefore + 1, "written once, whole")
        let keys = names.map { report($0).key }
        #expect(events.notWritten.map(\.0) == keys + keys)
        for name in names {
            let stored = try await exchange.producer.get(report(name).key)
            #expect(stored?.resource.status?.isTrue("Ready") == true, "\(name)")
        }
    }

    /// A full commit's worth is written at once while a write window is
    /// armed; when that write fails, the window ending meanwhile does not
    /// start the next write: it waits the error backoff.
    @Test func aFullCommitThatFailsWaitsTheBackoffNotTheWindowArmedBeforeIt() async throws {
        let exchange = Exchange()
        let names = ["a", "b"]
        try await exchange.producer.apply(names.map { report($0) })
        let store = FailingStatusWrites(exchange.consumerStore, failing: report("a").key, failures: 1)
        let clock = TestClock()
        var options = clockOptions
        // One reconcile at a time: `a`'s status arms the window, `b`'s makes a full commit.
        options.maxConcurrentReconciles = 1
        options.statusWriteWindow = .seconds(1)
        options.maxStatusesPerCommit = 2
        let policy = options.errorBackoff
        let controller = Controller(store: store, reconciler: ScriptedReconciler(), options: options, clock: clock)
        try await withDeadline(.seconds(60)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                defer { controller.shutdown() }
                let start = clock.now
                let windowEnd = start.advanced(by: .seconds(1))
                try await withDeadline {
                    while await controller.failedFlushes < 1 || !clock.deadlines.contains(windowEnd) {
                        try Task.checkCancellation()
                        await Task.yield()
                    }
                }
                #expect(store.written.isEmpty)
                clock.advance(to: windowEnd)
                let write = try await nextWrite(on: clock)
                #expect(clock.now.duration(to: write) == policy.bound(afterFailures: 1), "the backoff, not the window")
                #expect(store.written.isEmpty, "nothing written when the window armed before the failure ended")
                clock.advance(to: write)
                await controller.waitUntilIdle()
                controller.shutdown()
                try await group.waitForAll()
            }
        }
        #expect(store.written == [names.map { report($0).key }])
    }

    /// A status that alone comes back `notApplied` (a store that pushed it
    /// apart): the others are written at once, and it is written again
    /// after the error backoff, not at every window.
    @Test func aStatusNotAppliedAloneIsWrittenAgainAfterABackoff() async throws {
        let exchange = Exchange()
        let names = ["a", "b", "c"]
        try await exchange.producer.apply(names.map { report($0) })
        let broken = report("b").key
        let store = FailingStatusWrites(exchange.consumerStore, failing: broken, failures: 2, notAppliedAlone: true)
        let clock = TestClock()
        let events = ControllerEventLog()
        var options = clockOptions
        options.eventHandler = { events.append($0) }
        // Every status in the first write, whatever the order the reconciles end in (see writeWhenPending).
        options.statusWriteWindow = .seconds(1)
        let policy = options.errorBackoff
        let window = options.statusWriteWindow
        let controller = Controller(store: store, reconciler: ScriptedReconciler(), options: options, clock: clock)
        try await withDeadline(.seconds(60)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                defer { controller.shutdown() }
                try await writeWhenPending(names.count, controller, clock: clock, window: window)
                for failures in 1...2 {
                    let write = try await nextWrite(on: clock)
                    #expect(clock.now.duration(to: write) == policy.bound(afterFailures: failures))
                    clock.advance(to: write)
                }
                await controller.waitUntilIdle()
                controller.shutdown()
                try await group.waitForAll()
            }
        }
        #expect(store.written == [[report("a").key, report("c").key], [broken]], "a and c at once, b after")
        #expect(events.notWritten.map(\.0) == [broken, broken])
        for name in names {
            let stored = try await exchange.producer.get(report(name).key)
            #expect(stored?.resource.status?.isTrue("Ready") == true, "\(name)")
        }
    }

    /// A status that does not encode fails alone (`.failed`, code
    /// `encoding`) and cannot be written by retrying: it is replaced, as a
    /// status the contract refuses is, by one that says so, and the
    /// controller goes idle.
    @Test func aStatusThatDoesNotEncodeIsReportedAsRefused() async throws {
        let exchange = Exchange()
        try await exchange.producer.apply(report("a"))
        let store = exchange.remote.store(
            for: PickyReport.self, type: reportType,
            options: StoreOptions(identity: consumerIdentity, roles: namedRoles))
        let controller = Controller(
            store: store, reconciler: PickyReconciler(), options: clockOptions, clock: TestClock())
        try await withDeadline(.seconds(60)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                defer { controller.shutdown() }
                await controller.waitUntilIdle()
                controller.shutdown()
                try await group.waitForAll()
            }
        }
        let text = try #require(try await exchange.file(report("a").key.repositoryPath))
        #expect(text.contains("reason: StatusRefused"), "\(text)")
        #expect(text.contains("this status is refused"), "\(text)")
    }
}
