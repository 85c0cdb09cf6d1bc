import Logging
import Metrics
public import ServiceLifecycle

/// Runs a ``Reconciler`` against a ``ResourceStore``: the consumer's loop.
///
/// ```swift
/// let controller = Controller(store: store, reconciler: ReportReconciler())
/// try await controller.run()        // or add it to a ServiceGroup
/// ```
///
/// - **Triggers**: a poll every ``ControllerOptions/pollInterval`` (with
///   jitter) that asks the cheap "has the remote moved?" before any fetch;
///   ``trigger()``; and any `AsyncSequence` given to ``addEventSource(_:)``
///   (a webhook, a ref watcher).
/// - **Queue**: changed resources go into a de-duplicating queue; at most
///   ``ControllerOptions/maxConcurrentReconciles`` run at once, never two
///   of one resource.
/// - **What is reconciled**: a resource whose status does not describe its
///   current spec — by generation, and by content, so a spec changed without
///   a generation bump is reconciled too.
/// - **Errors**: a thrown error is retried with per-resource exponential
///   backoff; a ``TerminalError`` publishes a failed status and stops
///   retrying until the spec changes.
/// - **Writes**: statuses are gathered for ``ControllerOptions/statusWriteWindow``
///   and written in one commit. A status whose spec changed meanwhile is
///   not published; the resource is reconciled again.
/// - **Shutdown**: on graceful shutdown or cancellation it stops taking
///   work, lets in-flight reconciles finish and pushes pending statuses.
///
/// Delivery is at least once per generation: the controller keeps nothing
/// but the repository, so after a crash it reconciles every resource whose
/// status is not current again.
public actor Controller<R: Reconciler>: Service {
    public typealias Resource = R.Resource

    let store: any ResourceStore<Resource>
    let reconciler: R
    let options: ControllerOptions
    var logger: Logger { options.logger }

    var queue = WorkQueue()
    var keys: [ResourceKey: KeyState] = [:]
    var pending: [ResourceKey: PendingStatus<Resource.Status>] = [:]
    var flushing = false
    var flushSleeper: Task<Void, Never>?
    var flushWaiter: CheckedContinuation<Void, Never>?
    var syncedRevision: StoreRevision?
    var synced = false
    var stopping = false
    var activeWorkers = 0
    var waitingWorkers: [CheckedContinuation<ResourceKey?, Never>] = []
    var delayed: [ResourceKey: Task<Void, Never>] = [:]
    var triggerWaiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
    var triggerCount = 0
    var pendingTrigger = false
    var eventSources: [@Sendable (Controller) async -> Void] = []
    var idle: [CheckedContinuation<Void, Never>] = []

    let reconciles: Counter
    let failures: Counter
    let terminalFailures: Counter
    let duration: Metrics.Timer
    let depth: Gauge
    let syncErrors: Counter

    /// A controller of `reconciler` over `store`.
    public init(store: some ResourceStore<Resource>, reconciler: R, options: ControllerOptions = ControllerOptions()) {
        self.store = store
        self.reconciler = reconciler
        self.options = options
        let dimensions = [("kind", store.resourceType.kind)]
        reconciles = Counter(label: "giter_reconciles_total", dimensions: dimensions)
        failures = Counter(label: "giter_reconcile_errors_total", dimensions: dimensions)
        terminalFailures = Counter(label: "giter_reconcile_terminal_errors_total", dimensions: dimensions)
        duration = Metrics.Timer(label: "giter_reconcile_duration", dimensions: dimensions)
        depth = Gauge(label: "giter_queue_depth", dimensions: dimensions)
        syncErrors = Counter(label: "giter_sync_errors_total", dimensions: dimensions)
    }

    // MARK: Triggers

    /// Asks for a check of the remote now, without waiting for the next poll.
    public nonisolated func trigger() {
        Task { await self.fireTrigger(nil) }
    }

    /// Triggers a check of the remote for every element of `source` (a
    /// webhook receiver's events, a ref watcher) while the controller runs.
    /// Call before ``run()``.
    public func addEventSource<S: AsyncSequence & Sendable>(_ source: S) where S.Element: Sendable {
        eventSources.append { controller in
            do {
                for try await _ in source {
                    await controller.fireTrigger(nil)
                }
            } catch {
                await controller.logger.warning("an event source ended with an error: \(error)")
            }
        }
    }

    /// Stops taking work: in-flight reconciles finish and pending statuses
    /// are pushed before ``run()`` returns.
    public nonisolated func shutdown() {
        Task { await self.beginStopping() }
    }

    /// Returns when the queue is empty, no reconcile is running and no status
    /// waits to be written: everything seen so far is published. For tests
    /// and for one-shot runs.
    public func waitUntilIdle() async {
        if isIdle { return }
        await withCheckedContinuation { idle.append($0) }
    }

    /// Whether everything seen so far is published: the queue is empty, no
    /// reconcile runs and no status waits to be written.
    public var isIdle: Bool {
        synced && queue.depth == 0 && queue.processing.isEmpty && pending.isEmpty && !flushing
    }

    func fireTrigger(_ id: Int?) {
        if let waiter = triggerWaiter, id == nil || id == waiter.id {
            triggerWaiter = nil
            waiter.continuation.resume()
        } else if id == nil {
            pendingTrigger = true
        }
    }

    func waitForTrigger() async {
        if pendingTrigger || stopping {
            pendingTrigger = false
            return
        }
        triggerCount += 1
        let id = triggerCount
        let delay = options.nextPollDelay()
        await withCheckedContinuation { continuation in
            triggerWaiter = (id, continuation)
            Task {
                try? await Task.sleep(for: delay)
                self.fireTrigger(id)
            }
        }
    }

    // MARK: Running

    /// Runs until graceful shutdown, cancellation or ``shutdown()``, then
    /// finishes in-flight work and pushes pending statuses.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await self.runLoops()
            } onCancel: {
                self.shutdown()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
    }

    private func runLoops() async {
        logger.info("controller started", metadata: ["kind": "\(store.resourceType.kind)"])
        await withTaskGroup(of: Void.self) { sources in
            for source in eventSources {
                sources.addTask { await source(self) }
            }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.triggerLoop() }
                group.addTask { await self.flushLoop() }
                for _ in 0..<options.maxConcurrentReconciles {
                    group.addTask { await self.workerLoop() }
                }
            }
            sources.cancelAll()
        }
        logger.info("controller stopped", metadata: ["kind": "\(store.resourceType.kind)"])
    }

    private func triggerLoop() async {
        while !stopping {
            await sync()
            await waitForTrigger()
        }
    }

    private func beginStopping() {
        guard !stopping else { return }
        stopping = true
        for task in delayed.values { task.cancel() }
        delayed = [:]
        for waiter in waitingWorkers { waiter.resume(returning: nil) }
        waitingWorkers = []
        flushSleeper?.cancel()
        wakeFlusher()
        fireTrigger(nil)
    }

    // MARK: Sync

    /// Refreshes the store when the remote moved and queues what needs reconciling.
    func sync() async {
        do {
            // A refresh asks the remote whether it moved before it fetches anything.
            try await store.refresh()
            let revision = await store.revision()
            if synced && revision == syncedRevision { return checkIdle() }
            let changes: ResourceChanges<Resource>
            do {
                changes = try await store.changes(since: syncedRevision)
            } catch where syncedRevision != nil {
                // The revision last seen is gone (a force-push, a new mirror): start over from the branch as it is.
                logger.notice("re-reading every resource: \(error)")
                changes = try await store.changes(since: nil)
            }
            syncedRevision = changes.revision
            synced = true
            for key in changes.removed { forget(key) }
            for stored in changes.updated where options.shard?.contains(stored.key) ?? true {
                if needsReconcile(stored) { enqueue(stored.key) }
            }
            for invalid in changes.invalid where options.shard?.contains(invalid.key) ?? true {
                reportInvalid(invalid)
            }
            checkIdle()
        } catch {
            syncErrors.increment()
            logger.warning("could not read the exchange: \(error)")
        }
    }

    func needsReconcile(_ stored: StoredResource<Resource>) -> Bool {
        let state = keys[stored.key]
        let version = SpecVersion(digest: stored.specDigest, generation: stored.generation)
        if state?.terminal == version || state?.reconciled == version { return false }
        guard stored.isStatusCurrent, stored.observedSpecDigest != nil, let status = stored.resource.status else {
            return true
        }
        // Current but not finished: work in progress when the last controller stopped.
        return !options.finishedConditions.contains { status.isTrue($0) }
    }

    /// Publishes a failed status for a resource whose file is not a valid
    /// resource, so that its producer learns what is wrong instead of waiting.
    func reportInvalid(_ invalid: InvalidResource) {
        let version = SpecVersion(digest: invalid.specDigest, generation: invalid.generation)
        guard keys[invalid.key]?.terminal != version, !invalid.isStatusCurrent else { return }
        var status = Resource.Status()
        status.observedGeneration = invalid.generation
        let message = "\(invalid.error)"
        for type in ["Ready", "Stalled"] {
            status.conditions.setCondition(
                Condition(
                    type: type, status: type == "Ready" ? .false : .true, observedGeneration: invalid.generation,
                    reason: "InvalidSpec", message: String(message.prefix(30_000))))
        }
        pending[invalid.key] = PendingStatus(status: status, specDigest: invalid.specDigest)
        wakeFlusher()
        keys[invalid.key, default: KeyState()].terminal = version
        logger.error("the resource is invalid: \(message)", metadata: ["resource": "\(invalid.key)"])
    }

    func forget(_ key: ResourceKey) {
        keys[key] = nil
        pending[key] = nil
        delayed.removeValue(forKey: key)?.cancel()
    }

    func enqueue(_ key: ResourceKey) {
        guard !stopping else { return }
        queue.add(key)
        depth.record(queue.depth)
        if !waitingWorkers.isEmpty, let next = queue.take() {
            waitingWorkers.removeFirst().resume(returning: next)
        }
    }

    func requeue(_ key: ResourceKey, after delay: Duration) {
        delayed[key]?.cancel()
        delayed[key] = Task {
            try? await Task.sleep(for: delay)
            guard !Task.isCancelled else { return }
            self.requeueNow(key)
        }
    }

    private func requeueNow(_ key: ResourceKey) {
        delayed[key] = nil
        keys[key]?.requeued = true
        enqueue(key)
    }

    /// Wakes the flush loop, which sleeps while no status is pending.
    func wakeFlusher() {
        flushWaiter?.resume()
        flushWaiter = nil
    }

    func checkIdle() {
        guard isIdle else { return }
        let waiters = idle
        idle = []
        for waiter in waiters { waiter.resume() }
    }
}

/// A spec as reconciled: its digest and generation.
struct SpecVersion: Hashable, Sendable {
    var digest: String
    var generation: Int64
}

/// What a controller remembers of one resource while it runs.
struct KeyState: Sendable {
    /// The spec last reconciled successfully.
    var reconciled: SpecVersion?
    /// The spec whose reconcile ended in a terminal error.
    var terminal: SpecVersion?
    /// Consecutive errors.
    var failures = 0
    /// A delayed requeue (``ReconcileResult/Next/requeue(after:)`` or an
    /// error's backoff) is due: reconcile even if this spec was reconciled.
    var requeued = false
}

/// A status waiting to be written, with the spec it was reconciled from.
struct PendingStatus<Status: Sendable>: Sendable {
    var status: Status
    var specDigest: String
}
