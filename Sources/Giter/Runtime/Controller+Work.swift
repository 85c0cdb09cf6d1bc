import Logging
import Metrics

extension Controller {
    // MARK: Reconciles

    /// Reconciles `key` in a child task; the loop then records the outcome.
    func startReconcile(_ key: ResourceKey, _ tasks: inout ControllerTasks<Resource>) {
        let step = ReconcileStep(
            store: store, reconciler: reconciler, options: options, clock: clock, metrics: metrics)
        let state = keys[key] ?? KeyState()
        tasks.addTask {
            .reconciled(key, await step.run(key, state: state))
        }
    }

    /// Records how a reconcile of `key` ended.
    func apply(
        _ outcome: ReconcileOutcome<Resource.Status>, of key: ResourceKey, _ tasks: inout ControllerTasks<Resource>
    ) {
        var state = keys[key] ?? KeyState()
        switch outcome {
        case .gone:
            return forget(key)
        case .unreadable, .skipped:
            return
        case .reconciled(let status, let version, let next):
            pending[key] = status
            state.reconciled = version
            state.terminal = nil
            state.failures = 0
            state.requeued = false
            if case .requeue(let delay) = next, !stopping { requeue(key, after: delay, &tasks) }
        case .terminal(let status, let version):
            pending[key] = status
            state.terminal = version
            state.reconciled = nil
            state.failures = 0
            state.requeued = false
        case .failed(let delay):
            state.failures += 1
            state.requeued = false
            if !stopping { requeue(key, after: delay, &tasks) }
        }
        keys[key] = state
    }

    // MARK: Status writes

    /// Writes every pending status in one commit, in a child task.
    func startFlush(final: Bool, _ tasks: inout ControllerTasks<Resource>) {
        flushing = true
        let batch = pending
        pending = [:]
        let keys = batch.keys.sorted()
        let writes = keys.compactMap { key in
            batch[key].map { ResourceWrite<Resource>.status(key, $0.status, specDigest: $0.specDigest) }
        }
        tasks.addTask { [store] in
            let result: Result<[WriteOutcome], any Error>
            do {
                result = .success(try await store.write(writes).outcomes)
            } catch {
                result = .failure(error)
            }
            return .flushed(FlushOutcome(batch: batch, keys: keys, result: result, final: final))
        }
    }

    /// Records how a status write ended: what to reconcile again, what to write again.
    func applyFlush(_ flush: FlushOutcome<Resource.Status>, _ tasks: inout ControllerTasks<Resource>) {
        let batch = flush.batch
        var allWritten = true
        switch flush.result {
        case .success(let outcomes):
            for (key, outcome) in zip(flush.keys, outcomes) {
                switch outcome {
                case .statusWritten, .unchanged:
                    break
                case .stale:
                    // The spec changed after it was reconciled: never publish that status. Reconcile
                    // again, unless the new spec has been reconciled meanwhile.
                    if keys[key]?.reconciled?.digest == batch[key]?.specDigest {
                        keys[key]?.reconciled = nil
                        enqueue(key)
                    }
                case .gone, .notFound:
                    forget(key)
                case .refused(let reason):
                    // Retrying cannot help: the status itself cannot be written.
                    logger.error("status dropped: \(reason)", metadata: ["resource": "\(key)"])
                default:
                    allWritten = false
                    if pending[key] == nil { pending[key] = batch[key] }
                    logger.warning("status not written: \(outcome)", metadata: ["resource": "\(key)"])
                }
            }
        case .failure(let error):
            allWritten = false
            for key in flush.keys where pending[key] == nil { pending[key] = batch[key] }
            logger.warning("could not write \(flush.keys.count) statuses, will retry: \(error)")
        }
        guard flush.final, !allWritten, !pending.isEmpty else { return }
        failedFinalFlushes += 1
        if failedFinalFlushes >= 3 {
            gaveUpWriting = true
            logger.error("stopping with \(pending.count) statuses not written; they will be reconciled again")
        } else {
            finalRetryArmed = true
            arm(.finalFlushRetry, after: .milliseconds(50), &tasks)
        }
    }
}

/// One reconcile, run in a child task of ``Controller/run()``: it reads the
/// resource as it is in the store now, calls the reconciler, logs and
/// counts, and returns what the controller must record.
struct ReconcileStep<R: Reconciler>: Sendable {
    typealias Resource = R.Resource

    let store: any ResourceStore<Resource>
    let reconciler: R
    let options: ControllerOptions
    let clock: any Clock<Duration>
    let metrics: ControllerMetrics

    func run(_ key: ResourceKey, state: KeyState) async -> ReconcileOutcome<Resource.Status> {
        var metadata: Logger.Metadata = ["resource": "\(key)"]
        let logger = options.logger
        let stored: StoredResource<Resource>
        do {
            guard let found = try await store.get(key) else { return .gone }
            stored = found
        } catch {
            logger.warning("cannot read the resource: \(error)", metadata: metadata)
            return .unreadable
        }
        let version = SpecVersion(digest: stored.specDigest, generation: stored.generation)
        // Queued twice for one spec (a sync and a stale write racing): once is enough,
        // unless the reconciler asked to be called again.
        if state.terminal == version || (state.reconciled == version && !state.requeued) { return .skipped }
        metadata["generation"] = "\(stored.generation)"
        var contextLogger = logger
        for (name, value) in metadata { contextLogger[metadataKey: name] = value }
        let context = ReconcileContext(
            key: key, generation: stored.generation, idempotencyKey: stored.idempotencyKey,
            attempt: state.failures + 1, logger: contextLogger)
        let (result, elapsed) = await measure(on: clock) { () async -> Result<ReconcileResult<Resource.Status>, any Error> in
            do {
                return .success(try await reconciler.reconcile(stored.resource, context: context))
            } catch {
                return .failure(error)
            }
        }
        metrics.reconciles.increment()
        metrics.duration.recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        let generation = stored.resource.metadata.generation
        switch result {
        case .success(let result):
            var status = result.status
            status.observedGeneration = generation
            logger.debug("reconciled", metadata: metadata)
            return .reconciled(PendingStatus(status: status, specDigest: stored.specDigest), version, next: result.next)
        case .failure(let error as TerminalError):
            metrics.terminalFailures.increment()
            var status = reconciler.status(for: stored.resource, afterTerminalError: error)
            status.observedGeneration = generation
            logger.error("reconcile failed for good: \(error)", metadata: metadata)
            return .terminal(PendingStatus(status: status, specDigest: stored.specDigest), version)
        case .failure(let error):
            metrics.failures.increment()
            let failures = state.failures + 1
            let delay = options.errorBackoff.delay(afterFailures: failures)
            logger.warning(
                "reconcile failed (attempt \(failures)), retrying in \(delay): \(error)", metadata: metadata)
            return .failed(retryAfter: delay)
        }
    }
}

/// Runs `work` and measures how long it took on `clock`.
func measure<C: Clock<Duration>, T>(on clock: C, _ work: () async -> T) async -> (T, Duration) {
    let start = clock.now
    let value = await work()
    return (value, start.duration(to: clock.now))
}
