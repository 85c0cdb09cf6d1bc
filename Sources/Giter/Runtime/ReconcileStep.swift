import Logging
import Metrics

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
        } catch let error as StoreError where error.isFileError {
            // Not transient: the file is what it is until its producer replaces it, and a sync reports it.
            logger.debug("the resource's file does not read: \(error)", metadata: metadata)
            return .unreadable(error)
        } catch {
            // A read that failed (the mirror busy, a file system error) may work
            // next time: the key is queued again with the error backoff, never dropped.
            metrics.failures.increment()
            let failures = state.failures + 1
            let delay = options.errorBackoff.delay(afterFailures: failures)
            logger.warning(
                "cannot read the resource (attempt \(failures)), retrying in \(delay): \(error)", metadata: metadata)
            return .failed(retryAfter: delay)
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
