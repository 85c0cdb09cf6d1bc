import Giter
import GiterTesting
import Synchronization
import Testing

/// A store whose first `failures` reads of a resource fail, as a busy
/// mirror or a file-system error would; everything else is the base store's.
final class FlakyReads<Base: ResourceStore>: ResourceStore, Sendable where Base: Sendable {
    typealias Resource = Base.Resource
    struct ReadFailed: Error {}

    let base: Base
    private let left: Mutex<Int>
    private let reads = Mutex(0)
    /// Thrown instead of ``ReadFailed`` when set: what the store says of a file that does not read.
    let error: StoreError?

    init(_ base: Base, failures: Int, error: StoreError? = nil) {
        self.base = base
        left = Mutex(failures)
        self.error = error
    }

    /// How many times `get` was called.
    var readCount: Int { reads.withLock { $0 } }

    var resourceType: ResourceType { base.resourceType }
    var identity: ExchangeIdentity { base.identity }
    func remoteMoved() async throws -> Bool { try await base.remoteMoved() }
    func refresh() async throws -> StoreRevision? { try await base.refresh() }
    func revision() async -> StoreRevision? { await base.revision() }
    func get(_ key: ResourceKey) async throws -> StoredResource<Resource>? {
        reads.withLock { $0 += 1 }
        let fail = left.withLock { left in
            defer { left = max(0, left - 1) }
            return left > 0
        }
        if fail { throw error ?? ReadFailed() }
        return try await base.get(key)
    }
    func list(_ query: ResourceQuery) async throws -> [StoredResource<Resource>] { try await base.list(query) }
    func changes(since revision: StoreRevision?) async throws -> ResourceChanges<Resource> {
        try await base.changes(since: revision)
    }
    func write(_ writes: [ResourceWrite<Resource>]) async throws -> WriteResult { try await base.write(writes) }
}

@Suite("Controller: a resource that cannot be read")
struct ControllerReadFailureTests {
    let exchange = Exchange()

    /// A failed read is retried with the error backoff, never dropped.
    @Test func aFailedReadIsRetriedAfterTheBackoff() async throws {
        try await exchange.producer.apply(report("shaky"))
        let store = FlakyReads(exchange.consumerStore, failures: 2)
        let reconciler = ScriptedReconciler()
        let clock = TestClock()
        let policy = clockOptions.errorBackoff
        let controller = Controller(store: store, reconciler: reconciler, options: clockOptions, clock: clock)
        try await withDeadline(.seconds(60)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                defer { controller.shutdown() }
                for failures in 1...2 {
                    // The poll (an hour away) and the retry of the read.
                    try await clock.waitForSleepers(2)
                    #expect(store.readCount == failures)
                    #expect(reconciler.calls.isEmpty)
                    let retry = try #require(clock.deadlines.first)
                    #expect(clock.now.duration(to: retry) <= policy.bound(afterFailures: failures))
                    clock.advance(to: retry)
                }
                await reconciler.waitForCalls(1)
                await controller.waitUntilIdle()
                controller.shutdown()
                try await group.waitForAll()
            }
        }
        #expect(store.readCount == 3)
        #expect(try await exchange.producer.get(report("shaky").key)?.resource.status?.isTrue("Ready") == true)
    }

    /// A file that does not read is not transient: the reconcile that finds
    /// it is not retried (a sync reports the file), so nothing loops on it.
    @Test func aFileThatDoesNotReadIsNotRetried() async throws {
        try await exchange.producer.apply(report("broken"))
        let path = report("broken").key.repositoryPath
        let store = FlakyReads(
            exchange.consumerStore, failures: 1, error: StoreError(.invalidDocument, path: path, "does not read (a test's)"))
        let reconciler = ScriptedReconciler()
        let clock = TestClock()
        let controller = Controller(store: store, reconciler: reconciler, options: clockOptions, clock: clock)
        try await withDeadline(.seconds(60)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                defer { controller.shutdown() }
                await controller.waitUntilIdle()
                // Two more checks of the remote, so that a retry armed after the read (as for a transient
                // error) has long started sleeping: only the poll, an hour away, sleeps.
                for _ in 1...2 {
                    controller.trigger()
                    await controller.waitUntilIdle()
                }
                try await clock.waitForSleepers(1)
                #expect(clock.sleeperCount == 1)
                controller.shutdown()
                try await group.waitForAll()
            }
        }
        #expect(store.readCount == 1)
        #expect(reconciler.calls.isEmpty)
    }
}
