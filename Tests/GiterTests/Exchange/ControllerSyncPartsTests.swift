import Giter
import GiterTesting
import Synchronization
import Testing

/// A store over a ``GitResourceStore`` of reports: everything but the
/// changes goes to `base` as it came.
protocol StoreOverReports: ResourceStore where Resource == Report {
    var base: GitResourceStore<Report> { get }
}

extension StoreOverReports {
    var resourceType: ResourceType { base.resourceType }
    var identity: ExchangeIdentity { base.identity }
    func remoteMoved() async throws -> Bool { try await base.remoteMoved() }
    func refresh() async throws -> StoreRevision? { try await base.refresh() }
    func revision() async -> StoreRevision? { await base.revision() }
    func get(_ key: ResourceKey) async throws -> StoredResource<Report>? { try await base.get(key) }
    func list(_ query: ResourceQuery) async throws -> [StoredResource<Report>] { try await base.list(query) }
    func write(_ writes: [ResourceWrite<Report>]) async throws -> WriteResult { try await base.write(writes) }
}

/// A store that forwards to a ``GitResourceStore`` and records the parts a
/// controller asks for; `beforePart` runs before a part is read (with the
/// index of the call, from 0), so a test can move the exchange between two
/// parts, or fail one.
final class RecordingPartsStore: StoreOverReports {
    typealias Resource = Report

    struct Part: Sendable {
        var after: ResourceKey?
        var limit: Int
        var keys: [ResourceKey]
        var partEnd: ResourceKey?
        var revision: StoreRevision?
    }

    let base: GitResourceStore<Report>
    let beforePart: @Sendable (Int) async throws -> Void
    /// Changes a part before it is returned (with its index), as a faulty store would.
    let afterPart: @Sendable (Int, inout ResourceChanges<Report>) -> Void
    private let recorded = Mutex<(parts: [Part], wholeReads: Int, calls: Int)>(([], 0, 0))

    init(
        base: GitResourceStore<Report>, beforePart: @escaping @Sendable (Int) async throws -> Void = { _ in },
        afterPart: @escaping @Sendable (Int, inout ResourceChanges<Report>) -> Void = { _, _ in }
    ) {
        self.base = base
        self.beforePart = beforePart
        self.afterPart = afterPart
    }

    var parts: [Part] { recorded.withLock { $0.parts } }
    var wholeReads: Int { recorded.withLock { $0.wholeReads } }


    func changes(since revision: StoreRevision?) async throws -> ResourceChanges<Report> {
        recorded.withLock { $0.wholeReads += 1 }
        return try await base.changes(since: revision)
    }

    func changes(since revision: StoreRevision?, after key: ResourceKey?, limit: Int) async throws
        -> ResourceChanges<Report>
    {
        let index = recorded.withLock { recorded in
            defer { recorded.calls += 1 }
            return recorded.calls
        }
        try await beforePart(index)
        var part = try await base.changes(since: revision, after: key, limit: limit)
        afterPart(index, &part)
        let keys = (part.updated.map(\.key) + part.removed + part.invalid.map(\.key)).sorted()
        recorded.withLock {
            $0.parts.append(Part(after: key, limit: limit, keys: keys, partEnd: part.partEnd, revision: part.revision))
        }
        return part
    }
}

/// A store that has only the whole ``ResourceStore/changes(since:)``: a
/// controller reads its parts through the protocol's default.
struct WholeChangesStore: StoreOverReports {
    typealias Resource = Report

    let base: GitResourceStore<Report>

    func changes(since revision: StoreRevision?) async throws -> ResourceChanges<Report> {
        try await base.changes(since: revision)
    }
}

/// A controller reads a sync in parts of ``ControllerOptions/syncPartSize``
/// keys (issue 13: a first sync of 100,000 resources never holds them all
/// decoded at once), and loses nothing that moves between two parts.
@Suite("Controller syncs in parts")
struct ControllerSyncPartsTests {
    let exchange = Exchange()

    func partOptions(_ size: Int) -> ControllerOptions {
        var options = fastOptions
        options.syncPartSize = size
        return options
    }

    /// Runs a controller over `store` until `body` returns, then shuts it down; fails after two minutes.
    func run(
        _ store: some ResourceStore<Report>, _ reconciler: ScriptedReconciler, options: ControllerOptions,
        _ body: @escaping @Sendable (Controller<ScriptedReconciler>) async throws -> Void
    ) async throws {
        let controller = Controller(store: store, reconciler: reconciler, options: options)
        try await withDeadline(.seconds(120)) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await controller.run() }
                defer { controller.shutdown() }
                try await body(controller)
                controller.shutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test func theFirstSyncIsReadInPartsInKeyOrder() async throws {
        let names = (0..<10).map { "a\($0)" }
        try await exchange.producer.apply(names.map { report($0) })
        let store = RecordingPartsStore(base: exchange.consumerStore)
        let reconciler = ScriptedReconciler()
        try await run(store, reconciler, options: partOptions(3)) { controller in
            _ = try await exchange.producer.waitAll(for: names.map { report($0).key }, timeout: .seconds(120))
        }
        let first = Array(store.parts.prefix(4))
        #expect(first.map { $0.keys.map(\.name) } == [["a0", "a1", "a2"], ["a3", "a4", "a5"], ["a6", "a7", "a8"], ["a9"]])
        #expect(first.map(\.after?.name) == [nil, "a2", "a5", "a8"])
        #expect(first.map(\.partEnd?.name) == ["a2", "a5", "a8", nil])
        #expect(store.parts.allSatisfy { $0.limit == 3 })
        #expect(store.wholeReads == 0, "a controller reads a sync in parts only")
        #expect(Set(reconciler.calls.map(\.key.name)) == Set(names))
        #expect(reconciler.calls.count == names.count, "each resource once")
    }

    /// The exchange moves between two parts: a resource is created with a
    /// key the first part covered, and one of a later part changes. Every
    /// part describes the first part's revision; the next sync, from that
    /// revision, finds the new one, and the changed one is reconciled once,
    /// as it is now.
    @Test func whatMovesBetweenPartsIsFoundByTheNextSync() async throws {
        let names = (0..<6).map { "a\($0)" }
        try await exchange.producer.apply(names.map { report($0) })
        let producer = exchange.producer
        let consumerStore = exchange.consumerStore
        let store = RecordingPartsStore(base: consumerStore) { index in
            guard index == 1 else { return }
            // "a0x" sorts between "a0" and "a1": inside the first part, already read. "a5" is in the third.
            try await producer.apply([report("a0x"), report("a5", schedule: "@daily")])
            try await consumerStore.refresh()
        }
        let reconciler = ScriptedReconciler()
        try await run(store, reconciler, options: partOptions(2)) { controller in
            // a4 is in the third part, read after a0x came.
            _ = try await exchange.producer.wait(for: report("a4").key, timeout: .seconds(120))
            let created = try await exchange.producer.wait(for: report("a0x").key, timeout: .seconds(120))
            #expect(created.isStatusCurrent)
            let changed = try await exchange.producer.wait(for: report("a5").key, timeout: .seconds(120))
            #expect(changed.resource.status?.url == "https://example.com/@daily")
        }
        let first = Array(store.parts.prefix(3))
        #expect(first.map { $0.keys.map(\.name) } == [["a0", "a1"], ["a2", "a3"], ["a4", "a5"]])
        #expect(Set(first.map(\.revision)).count == 1, "the three parts describe one revision")
        #expect(reconciler.calls.filter { $0.key.name == "a0x" }.count == 1)
        // Queued by the third part; its reconcile reads the resource as it is now.
        #expect(reconciler.calls.filter { $0.key.name == "a5" }.map(\.schedule) == ["@daily"])
    }

    /// A part that fails ends the sync; the next check reads it again from the start.
    @Test func aFailedPartIsReadAgainByTheNextCheck() async throws {
        let names = (0..<5).map { "f\($0)" }
        try await exchange.producer.apply(names.map { report($0) })
        let store = RecordingPartsStore(base: exchange.consumerStore) { index in
            if index == 1 { throw CancellationLikeError() }
        }
        let reconciler = ScriptedReconciler()
        try await run(store, reconciler, options: partOptions(2)) { _ in
            _ = try await exchange.producer.waitAll(for: names.map { report($0).key }, timeout: .seconds(120))
        }
        #expect(store.parts.first?.keys.map(\.name) == ["f0", "f1"])
        #expect(store.parts.dropFirst().first?.after == nil, "the failed sync started again from its first part")
        #expect(Set(reconciler.calls.map(\.key.name)) == Set(names))
        #expect(reconciler.overlaps == 0)
    }

    /// A store whose parts describe different revisions fails the sync
    /// (``StoreError/Code/invalidPart``), as does one that does not move on;
    /// the next check reads it again.
    @Test(arguments: ["revision", "no progress"])
    func aStoreWhosePartsDoNotHoldTogetherFailsTheSync(_ fault: String) async throws {
        let names = (0..<5).map { "g\($0)" }
        try await exchange.producer.apply(names.map { report($0) })
        let store = RecordingPartsStore(base: exchange.consumerStore) { _ in } afterPart: { index, part in
            guard index == 1 else { return }
            if fault == "revision" {
                part.revision = StoreRevision(String(repeating: "0", count: 40))
            } else {
                part.partEnd = report("g0").key
            }
        }
        let reconciler = ScriptedReconciler()
        try await run(store, reconciler, options: partOptions(2)) { _ in
            _ = try await exchange.producer.waitAll(for: names.map { report($0).key }, timeout: .seconds(120))
        }
        #expect(store.parts.dropFirst(2).first?.after == nil, "the sync was read again from its first part")
        #expect(Set(reconciler.calls.map(\.key.name)) == Set(names))
    }

    /// A store without parts of its own gets the protocol's default: the whole changes as one part.
    @Test func aStoreWithoutPartsOfItsOwnIsSyncedWhole() async throws {
        let names = (0..<7).map { "b\($0)" }
        try await exchange.producer.apply(names.map { report($0) })
        try await exchange.producer.apply(report("b3", schedule: "@hourly"))
        let whole = WholeChangesStore(base: exchange.consumerStore)
        try await exchange.consumerStore.refresh()
        let one = try await whole.changes(since: nil, after: nil, limit: 2)
        #expect(one.updated.map(\.key.name) == names, "every change in one part")
        #expect(one.partEnd == nil)
        let rest = try await whole.changes(since: nil, after: report("b4").key, limit: 1)
        #expect(rest.updated.map(\.key.name) == ["b5", "b6"])
        #expect(rest.partEnd == nil)
        let reconciler = ScriptedReconciler()
        try await run(whole, reconciler, options: partOptions(2)) { _ in
            _ = try await exchange.producer.waitAll(for: names.map { report($0).key }, timeout: .seconds(120))
            // A deletion and a change after the first sync: both seen by the next one.
            _ = try await exchange.producer.delete(report("b0").key)
            try await exchange.producer.apply(report("b6", schedule: "@daily"))
            let changed = try await exchange.producer.wait(for: report("b6").key, timeout: .seconds(120))
            #expect(changed.resource.status?.url == "https://example.com/@daily")
        }
        #expect(Set(reconciler.calls.map(\.key.name)) == Set(names))
        #expect(reconciler.calls.filter { $0.key.name == "b3" }.map(\.schedule) == ["@hourly"])
        #expect(reconciler.calls.filter { $0.key.name == "b6" }.map(\.schedule) == ["0 2 * * *", "@daily"])
    }

    /// The default part of whole changes: every list cut at the same key, in key order.
    @Test func thePartsOfWholeChangesCoverEachKeyOnce() async throws {
        try await exchange.producer.apply((0..<5).map { report("c\($0)") })
        let store = exchange.consumerStore
        try await store.refresh()
        var whole = try await store.changes(since: nil)
        whole.removed = [report("c1x").key, report("c9").key]
        var parts: [ResourceChanges<Report>] = []
        var after: ResourceKey?
        repeat {
            let part = whole.part(after: after, limit: 3)
            parts.append(part)
            after = part.partEnd
        } while after != nil && parts.count < 10
        #expect(parts.map { $0.updated.map(\.key.name) } == [["c0", "c1"], ["c2", "c3", "c4"], []])
        #expect(parts.map { $0.removed.map(\.name) } == [["c1x"], [], ["c9"]])
        #expect(parts.map(\.partEnd?.name) == ["c1x", "c4", nil])
        #expect(parts.allSatisfy { $0.revision == whole.revision })
        #expect(whole.part(after: report("c9").key, limit: 3).isEmpty)
    }
}
