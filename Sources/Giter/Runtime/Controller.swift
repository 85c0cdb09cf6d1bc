import Logging
import Metrics
public import ServiceLifecycle
import Synchronization
import Tracing

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
///   not published; the resource is reconciled again. One status's own
///   failure never holds the others (the store fails it alone,
///   ``WriteOutcome/failed(_:)``): a status that cannot be written (the
///   contract refuses it, it does not encode) is replaced by one saying
///   so; a status for a file that broke meanwhile is dropped and the file
///   reported. A write that fails as a whole (a transport error, a branch
///   that stays locked, a push that keeps losing) is tried again, every
///   status of it, after the growing delays of
///   ``ControllerOptions/errorBackoff``, not at every window.
/// - **Unreadable files**: a resource file that cannot be read at all is
///   reported once per version of the file (``ControllerEvent``, a log
///   line, a metric) and never written into; every other resource is
///   reconciled. Once its producer mends it, it is reconciled as usual.
/// - **Tracing**: with a tracer in use, each reconcile is a
///   `giter.reconcile` span that continues the trace its resource's last
///   commit carried and ends when its status is pushed; the status commit
///   carries that span's context (see `Documentation/Tracing.md`).
/// - **Shutdown**: on graceful shutdown, ``shutdown()`` or cancellation it
///   stops taking work, lets in-flight reconciles finish (on cancellation
///   they see it) and pushes pending statuses before ``run()`` returns.
/// - **Time**: every delay (polls, requeues, backoff, the write window) is
///   measured by the clock given to ``init(store:reconciler:options:clock:)``,
///   so tests can drive it with `GiterTesting`'s `TestClock` instead of sleeping.
///
/// Structured concurrency: ``run()`` owns every task the controller starts
/// (reconciles, syncs, status writes, timers, event sources) as child tasks,
/// and returns only when all of them ended. One loop takes their results as
/// events, one at a time. A controller runs once.
///
/// Delivery is at least once per generation: the controller keeps nothing
/// but the repository, so after a crash it reconciles every resource whose
/// status is not current again.
public actor Controller<R: Reconciler>: Service {
    public typealias Resource = R.Resource

    let store: any ResourceStore<Resource>
    let reconciler: R
    let options: ControllerOptions
    let clock: any Clock<Duration>
    let metrics: ControllerMetrics
    nonisolated var logger: Logger { options.logger }

    /// Signals from outside the loop (``trigger()``, ``shutdown()``, event sources).
    let signals: AsyncStream<ControllerSignal>
    let signalInput: AsyncStream<ControllerSignal>.Continuation
    /// Triggers asked for so far; a sync started after the n-th covers it.
    let triggersRequested = Atomic<Int>(0)
    let idleWaiters = IdleWaiters()

    var queue = WorkQueue()
    var keys: [ResourceKey: KeyState] = [:]
    var pending: [ResourceKey: PendingStatus<Resource.Status>] = [:]
    var syncedRevision: StoreRevision?
    var synced = false
    var eventSources: [@Sendable (Controller) async -> Void] = []

    // The loop's bookkeeping of what runs.
    var hasRun = false
    var stopping = false
    var ended = false
    var runningReconciles = 0
    var syncing = false
    var syncRequested = true
    var triggersHandled = 0
    var flushing = false
    var pollArmed = false
    var windowArmed = false
    var flushDue = false
    var finalRetryArmed = false
    var failedFinalFlushes = 0
    var gaveUpWriting = false
    /// Status writes in a row that failed as a whole (thrown, or not applied): the next waits longer.
    var failedFlushes = 0
    /// The last key of the last status commit cut short by
    /// ``ControllerOptions/maxStatusesPerCommit``: the next starts after it.
    var lastKeyWritten: ResourceKey?
    /// ``lastKeyWritten`` before the write in flight: restored when it fails.
    var keyBeforeFlush: ResourceKey?
    var requeueTokens: [ResourceKey: Int] = [:]
    var nextRequeueToken = 0
    /// With ``ControllerOptions/sharding``: the shards owned after the last
    /// round (`nil` before the first), and keys taken from the queue while
    /// their shard was not owned here.
    var shardsOwned: Set<Int>?
    var parked: Set<ResourceKey> = []
    /// Counts changes of the shards owned: a sync started before one is read again in full.
    var ownershipEpoch = 0
    var syncEpoch = 0
    /// Resources whose file cannot be read, with the version of the file reported.
    var unreadable: [ResourceKey: String] = [:]

    /// A controller of `reconciler` over `store`; `clock` measures every
    /// delay it waits (`ContinuousClock` unless a test gives its own).
    public init(
        store: some ResourceStore<Resource>, reconciler: R, options: ControllerOptions = ControllerOptions(),
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.store = store
        self.reconciler = reconciler
        self.options = options
        self.clock = clock
        metrics = ControllerMetrics(kind: store.resourceType.kind)
        (signals, signalInput) = AsyncStream.makeStream(of: ControllerSignal.self)
    }

    // MARK: Triggers

    /// Asks for a check of the remote now, without waiting for the next poll.
    ///
    /// A ``waitUntilIdle()`` after it returns only once a check started
    /// after this call, and what it queued, are done.
    public nonisolated func trigger() {
        triggersRequested.add(1, ordering: .sequentiallyConsistent)
        signalInput.yield(.trigger)
    }

    /// Triggers a check of the remote for every element of `source` (a
    /// webhook receiver's events, a ref watcher) while the controller runs.
    /// Call before ``run()``.
    public func addEventSource<S: AsyncSequence & Sendable>(_ source: S) where S.Element: Sendable {
        eventSources.append { controller in
            do {
                for try await _ in source {
                    controller.trigger()
                }
            } catch {
                controller.logger.warning("an event source ended with an error: \(error)")
            }
        }
    }

    /// Stops taking work: in-flight reconciles finish and pending statuses
    /// are pushed before ``run()`` returns. Called before ``run()``, it
    /// makes `run()` return at once.
    public nonisolated func shutdown() {
        signalInput.yield(.shutdown)
    }

    /// Returns when the queue is empty, no reconcile is running, no status
    /// waits to be written and every ``trigger()`` made before the call
    /// has been checked: everything seen so far is published. Also returns
    /// when ``run()`` ended or the calling task is cancelled. For tests and
    /// for one-shot runs.
    public func waitUntilIdle() async {
        if isIdle || ended { return }
        let id = idleWaiters.makeID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                idleWaiters.add(id, continuation)
            }
        } onCancel: { [idleWaiters] in
            idleWaiters.cancel(id)
        }
    }

    /// Whether everything seen so far is published: the queue is empty, no
    /// reconcile runs, no status waits to be written, and no asked-for
    /// check of the remote is outstanding.
    public var isIdle: Bool {
        synced && !syncing && triggersHandled >= triggersRequested.load(ordering: .sequentiallyConsistent)
            && queue.depth == 0 && queue.processing.isEmpty && pending.isEmpty && !flushing
    }

    func checkIdle() {
        if isIdle || ended { idleWaiters.resumeAll() }
    }

    // MARK: Running

    /// Runs until graceful shutdown, cancellation or ``shutdown()``, then
    /// finishes in-flight work and pushes pending statuses. Every task it
    /// started has ended when it returns.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await self.runLoop()
            } onCancel: {
                self.shutdown()
            }
        } onGracefulShutdown: {
            self.shutdown()
        }
    }
}

/// A spec as reconciled: its digest and generation.
///
/// A controller keeps one or two for every resource it knows, so the digest
/// is kept as the 64-bit value its 16 hexadecimal digits spell (see
/// `SpecDigest`), not as a string of its own on the heap: 100,000 of them
/// were 6 MB of small heap blocks that outlived a first sync.
struct SpecVersion: Hashable, Sendable {
    var digest: UInt64
    var generation: Int64

    init(digest: String, generation: Int64) {
        self.digest = Self.value(ofDigest: digest)
        self.generation = generation
    }

    /// The value a digest's text spells: its 16 hexadecimal digits, or for
    /// any other text (never made by `SpecDigest`) the text's FNV-1a hash,
    /// so two texts give the same value only as two digests collide.
    static func value(ofDigest digest: String) -> UInt64 {
        let digits = digest.utf8
        // Lowercase digits only: UInt64(_:radix:) would also read "F" and a sign.
        guard digits.count == 16, digits.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
            let value = UInt64(digest, radix: 16)
        else { return SpecDigest.fnv1a(digits) }
        return value
    }
}

/// What a controller remembers of one resource while it runs.
struct KeyState: Sendable {
    /// The spec last reconciled successfully.
    var reconciled: SpecVersion?
    /// The spec whose reconcile ended in a terminal error.
    var terminal: SpecVersion?
    /// Consecutive errors (32 bits keep the table of every key a controller
    /// knows at 56 bytes an entry).
    var failures: Int32 = 0
    /// A delayed requeue (``ReconcileResult/Next/requeue(after:)`` or an
    /// error's backoff) is due: reconcile even if this spec was reconciled.
    var requeued = false
}

/// A status waiting to be written, with the spec it was reconciled from.
struct PendingStatus<Status: Sendable>: Sendable {
    var status: Status
    var specDigest: String
    /// Whether this status only reports that an earlier one was refused
    /// by the contract (it is not replaced again if refused in turn).
    var reportsRefusal = false
    /// The reconcile's span, open until the status is pushed (see
    /// `Documentation/Tracing.md`); `nil` without a tracer.
    var span: (any Span)?
}
