import BenchmarkSupport
import Foundation
import Giter
import GiterGitCLI
import GiterLibGit2
import Logging
import Synchronization

enum Backend: String, CaseIterable, Sendable {
    case libgit2
    case cli

    func open(_ configuration: RemoteConfiguration) async throws -> any Transport {
        switch self {
        case .libgit2: try await LibGit2Transport(configuration: configuration)
        case .cli: try await GitCLITransport(configuration: configuration)
        }
    }
}

struct WidgetSpec: ResourceSpec {
    var image: String
    var replicas: Int
    var revision: Int
}

struct WidgetStatus: ReconcilableStatus, Equatable {
    var observedGeneration: Int64?
    var conditions: [Condition] = []
    var revision: Int?
}

typealias Widget = CustomResource<WidgetSpec, WidgetStatus>

let widgetType = ResourceType(apiVersion: Fixture.apiVersion, kind: Fixture.kind)

/// The trivial consumer: marks every widget Ready. It counts its calls,
/// notes when it saw the last of the initial resources, and reports every
/// call for a spec revision above 1 (a change made during the run).
final class CountingReconciler: Reconciler, Sendable {
    let expected: Int
    let calls = Atomic<Int>(0)
    let allSeen = Atomic<UInt64>(0)
    /// "name@revision" → when the reconciler was first called for it, for revisions above 1.
    private let seen = Mutex<[String: UInt64]>([:])
    private let waiters = Mutex<[String: CheckedContinuation<UInt64?, Never>]>([:])

    init(expected: Int) {
        self.expected = expected
    }

    func reconcile(_ widget: Widget, context: ReconcileContext) async throws -> ReconcileResult<WidgetStatus> {
        let time = now()
        if widget.spec.revision > 1 {
            let probe = "\(widget.metadata.name)@\(widget.spec.revision)"
            let first = seen.withLock { seen in
                guard seen[probe] == nil else { return false }
                seen[probe] = time
                return true
            }
            if first, let waiter = waiters.withLock({ $0.removeValue(forKey: probe) }) { waiter.resume(returning: time) }
        } else if calls.add(1, ordering: .relaxed).newValue == expected {
            allSeen.store(time, ordering: .relaxed)
        }
        var status = widget.status ?? WidgetStatus()
        status.revision = widget.spec.revision
        status.conditions.setCondition(Condition(type: "Ready", status: .true, reason: "Reconciled", message: "ok"))
        return .done(status)
    }

    /// When the reconciler was first called for `name` at spec `revision`; `nil` when cancelled first.
    func call(_ name: String, revision: Int) async -> UInt64? {
        let probe = "\(name)@\(revision)"
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<UInt64?, Never>) in
                // Registered under the same order as the reconciler's note: seen first, else wait.
                let time = seen.withLock { seen -> UInt64? in
                    if let time = seen[probe] { return time }
                    waiters.withLock { $0[probe] = continuation }
                    return nil
                }
                if let time { continuation.resume(returning: time) }
            }
        } onCancel: {
            waiters.withLock { $0.removeValue(forKey: probe) }?.resume(returning: nil)
        }
    }
}

/// Counts the contract violations a store reports: a valid fixture has none.
final class ViolationCounter: Sendable {
    private let count = Atomic<Int>(0)
    func note(_ event: StoreEvent) {
        if case .contractViolation = event { count.add(1, ordering: .relaxed) }
    }
    var value: Int { count.load(ordering: .relaxed) }
}

struct ConsumerResult {
    var backend: Backend
    var resources: Int
    var allReconciled: Double
    var firstIdle: Double
    var rssAfterSync: Int
    var peakDuringSync: Int
    var dispatch: [Double]
    var endToEnd: [Double]
    var unmatched: Int
    var rssAfterChanges: Int
}

func logger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}

/// Runs a controller over `resources` resources (a copy of `fixture`),
/// then pushes `changes` one-resource spec changes from a producer store.
func runConsumer(backend: Backend, fixture: String, resources: Int, changes: Int, work: String) async throws -> ConsumerResult {
    if let bytes = ProcessInfo.processInfo.environment["GITER_SCALE_LARGE_BLOCKS"].flatMap(Int.init) {
        guard MemorySettings.returnLargeBlocksToTheSystem(atLeast: bytes) else {
            throw ScaleError("MemorySettings.returnLargeBlocksToTheSystem(atLeast: \(bytes)) did not take")
        }
    }
    let remote = work + "/consumer-\(backend.rawValue).git"
    try Shell.run(["cp", "-a", fixture, remote])
    ProcessMemory.trimHeap()
    try ProcessMemory.resetHighWaterMark()
    let log = WatchedTransport.Log()
    let violations = ViolationCounter()
    let transport = WatchedTransport(
        inner: try await backend.open(RemoteConfiguration(url: remote, mirrorPath: work + "/mirror-consumer-\(backend.rawValue).git")),
        log: log)
    let store = GitResourceStore<Widget>(
        transport: transport, resourceType: widgetType,
        options: StoreOptions(
            identity: Fixture.consumer, roles: Fixture.roles, logger: logger("giter.store"),
            eventHandler: { violations.note($0) }))
    let reconciler = CountingReconciler(expected: resources)
    var options = ControllerOptions(logger: logger("giter.controller"))
    if let size = ProcessInfo.processInfo.environment["GITER_SCALE_SYNC_PART"].flatMap(Int.init) {
        options.syncPartSize = size
    }
    if let size = ProcessInfo.processInfo.environment["GITER_SCALE_STATUS_COMMIT"].flatMap(Int.init) {
        options.maxStatusesPerCommit = size
    }
    let controller = Controller(store: store, reconciler: reconciler, options: options)
    let start = now()
    let running = Task { try await controller.run() }
    await controller.waitUntilIdle()
    let idle = now()
    guard reconciler.calls.load(ordering: .relaxed) >= resources else {
        throw ScaleError("idle after \(reconciler.calls.load(ordering: .relaxed)) of \(resources) reconciles")
    }
    guard violations.value == 0 else { throw ScaleError("the fixture breaks the contract: \(violations.value) violations") }
    ProcessMemory.trimHeap()
    let rss = try ProcessMemory.statusValue("VmRSS")
    let peak = try ProcessMemory.statusValue("VmHWM")
    let anonymous = try ProcessMemory.statusValue("RssAnon")
    let files = try ProcessMemory.statusValue("RssFile")
    let heap = ProcessMemory.heapInUse().map(megabytes) ?? "?"
    progress(
        "  after the sync: RSS \(megabytes(rss)) (anonymous \(megabytes(anonymous)), files \(megabytes(files))), "
            + "heap in use \(heap)")
    if ProcessInfo.processInfo.environment["GITER_SCALE_MAPPINGS"] != nil {
        for (mapping, bytes) in try ProcessMemory.residentByMapping().prefix(15) {
            progress("    \(megabytes(bytes)) \(mapping)")
        }
    }
    if ProcessInfo.processInfo.environment["GITER_SCALE_EXIT_AFTER_SYNC"] != nil {
        // For heaptrack: everything the consumer holds after the sync is then reported as leaked.
        print("exiting after the sync (GITER_SCALE_EXIT_AFTER_SYNC): RSS \(megabytes(rss)), peak \(megabytes(peak))")
        // exit skips main's cleanup: remove the work folder (the parent of this run's) here.
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: work).deletingLastPathComponent().path)
        exit(0)
    }

    let listsCalls = ProcessInfo.processInfo.environment["GITER_SCALE_DISPATCH"] != nil
    if listsCalls { log.recordCalls() }

    // The producer: another store, on its own mirror, trusting the branch as it is.
    let producerStore = GitResourceStore<Widget>(
        transport: try await backend.open(RemoteConfiguration(url: remote, mirrorPath: work + "/mirror-producer-\(backend.rawValue).git")),
        resourceType: widgetType,
        options: StoreOptions(identity: Fixture.producer, roles: Fixture.roles, historyCheck: .newCommitsOnly, logger: logger("giter.producer")))
    let producer = Producer(store: producerStore, watchesLocalRemote: false)
    var dispatch: [Double] = []
    var endToEnd: [Double] = []
    var unmatched = 0
    for change in 0..<changes {
        let index = (change * 4_999 + 17) % resources
        let name = Fixture.name(index)
        let revision = change + 2
        let widget = Widget(
            apiVersion: Fixture.apiVersion, kind: Fixture.kind,
            metadata: ObjectMeta(name: name, namespace: Fixture.namespace),
            spec: WidgetSpec(image: "registry.example.com/widget:1.\(revision)", replicas: 3, revision: revision))
        // From the start of the apply: a watched consumer may reconcile before the apply returns.
        let pushed = now()
        let outcome = try await producer.apply(widget)
        guard case .configured = outcome else { throw ScaleError("apply of \(name) gave \(outcome)") }
        guard let revisionID = await producerStore.revision(), let tip = ObjectID(hex: revisionID.rawValue) else {
            throw ScaleError("the producer has no revision after its apply")
        }
        let time = try await withThrowingTaskGroup(of: UInt64?.self) { group in
            group.addTask { await reconciler.call(name, revision: revision) }
            group.addTask {
                try await Task.sleep(for: .seconds(120))
                throw ScaleError("no reconcile of \(name) revision \(revision) within 120 s")
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let time else { throw ScaleError("the wait for \(name) was cancelled") }
        endToEnd.append(Double(time - pushed) / 1e6)
        if let fetch = log.first(bringing: tip), fetch.end <= time {
            let milliseconds = Double(time - fetch.end) / 1e6
            dispatch.append(milliseconds)
            if listsCalls {
                progress("  change \(change): dispatch \(milliseconds) ms, apply to reconcile \(Double(time - pushed) / 1e6) ms")
                for call in log.calls(between: fetch.end, and: time) {
                    progress(
                        "    \(call.name): \(call.items) items, \(Double(call.end - call.start) / 1e6) ms, "
                            + "from \(Double(Int64(call.start) - Int64(fetch.end)) / 1e6) ms after the fetch")
                }
            }
        } else {
            unmatched += 1
        }
        await controller.waitUntilIdle()
    }
    ProcessMemory.trimHeap()
    let rssAfter = try ProcessMemory.statusValue("VmRSS")
    controller.shutdown()
    try await running.value
    _ = producer
    return ConsumerResult(
        backend: backend, resources: resources,
        allReconciled: Double(reconciler.allSeen.load(ordering: .relaxed) - start) / 1e9,
        firstIdle: Double(idle - start) / 1e9, rssAfterSync: rss, peakDuringSync: peak,
        dispatch: dispatch, endToEnd: endToEnd, unmatched: unmatched, rssAfterChanges: rssAfter)
}
