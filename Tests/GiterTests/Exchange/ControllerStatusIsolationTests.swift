import Giter
import GiterTesting
import Synchronization
import Testing

/// How a write that holds the failing status fails.
enum StatusFailure: Sendable, CaseIterable {
    /// The whole batch throws an error that names the status's file, as the store does for a file it cannot read.
    case errorNamingTheFile
    /// The whole batch throws an error that names nothing.
    case errorNamingNothing
    /// The others are written; that one comes back `notApplied`, as a store that fails writes one by one answers.
    case outcome
}

/// A store whose writes fail while they hold the status of one resource,
/// `failures` times, in the way `failure` says.
final class FailingStatusWrites<Base: ResourceStore>: ResourceStore, Sendable where Base: Sendable {
    typealias Resource = Base.Resource
    struct WriteFailed: Error {}

    let base: Base
    let failing: ResourceKey
    let failure: StatusFailure
    private let left: Mutex<Int>
    private let log = Mutex<[[ResourceKey]]>([])

    init(_ base: Base, failing: ResourceKey, failures: Int, failure: StatusFailure) {
        self.base = base
        self.failing = failing
        self.failure = failure
        left = Mutex(failures)
    }

    /// The keys of each write that succeeded, in order.
    var written: [[ResourceKey]] { log.withLock { $0 } }
    var failuresLeft: Int { left.withLock { $0 } }

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
        let fail = writes.contains { $0.key == failing } && left.withLock { left in
            defer { left = max(0, left - 1) }
            return left > 0
        }
        if fail {
            switch failure {
            case .errorNamingTheFile:
                throw StoreError(.invalidDocument, path: failing.repositoryPath, "cannot be read (a test's failure)")
            case .errorNamingNothing:
                throw WriteFailed()
            case .outcome:
                let others = writes.filter { $0.key != failing }
                var result = others.isEmpty ? WriteResult(outcomes: [], revision: nil, attempts: 0) : try await base.write(others)
                if !others.isEmpty { log.withLock { $0.append(others.map(\.key)) } }
                guard let index = writes.firstIndex(where: { $0.key == failing }) else { throw WriteFailed() }
                result.outcomes.insert(.notApplied("not written (a test's failure)"), at: index)
                return result
            }
        }
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

@Suite("Controller: a status that fails alone never holds the others")
struct ControllerStatusIsolationTests {
    let exchange = Exchange()

    /// One status's write fails twice (the batch throws an error that names
    /// its file or names nothing, or that status alone comes back not
    /// applied): the other statuses are written at once, and it is tried
    /// again after the error backoff, for itself only, until it is written.
    @Test(arguments: StatusFailure.allCases)
    func oneFailingStatusDoesNotStallTheOthers(failure: StatusFailure) async throws {
        let names = ["a", "b", "c"]
        try await exchange.producer.apply(names.map { report($0) })
        let broken = report("b").key
        // Written one by one after the batch failed for no status in particular, b fails once more.
        let store = FailingStatusWrites(
            exchange.consumerStore, failing: broken, failures: failure == .errorNamingNothing ? 3 : 2, failure: failure)
        let clock = TestClock()
        let events = ControllerEventLog()
        var options = clockOptions
        options.eventHandler = { events.append($0) }
        let policy = options.errorBackoff
        let controller = Controller(store: store, reconciler: ScriptedReconciler(), options: options, clock: clock)
        try await withDeadline(.seconds(60)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                defer { controller.shutdown() }
                for failures in 1...2 {
                    // The poll (an hour away) and the retry of b's status.
                    try await clock.waitForSleepers(2)
                    #expect(store.failuresLeft == 2 - failures)
                    let retry = try #require(clock.deadlines.first)
                    #expect(clock.now.duration(to: retry) <= policy.bound(afterFailures: failures))
                    #expect(clock.now.duration(to: retry) > .zero)
                    clock.advance(to: retry)
                }
                await controller.waitUntilIdle()
                controller.shutdown()
                try await group.waitForAll()
            }
        }
        // a and c went out before b's first retry, in writes without b.
        let firstWithB = try #require(store.written.firstIndex { $0.contains(broken) })
        let before = Set(store.written[..<firstWithB].flatMap { $0 })
        #expect(before == [report("a").key, report("c").key])
        #expect(store.written.last == [broken])
        #expect(events.notWritten.map(\.0) == [broken, broken])
        for name in names {
            let stored = try await exchange.producer.get(report(name).key)
            #expect(stored?.resource.status?.isTrue("Ready") == true, "\(name)")
        }
    }
}
