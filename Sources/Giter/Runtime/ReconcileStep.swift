import Logging
import Metrics
import Tracing

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

    /// Reconciles `key`; with a tracer, in a `giter.reconcile` span that
    /// continues the trace the key's last commit carried and stays open in
    /// the ``PendingStatus`` until the status is pushed.
    func run(_ key: ResourceKey, state: KeyState) async -> ReconcileOutcome<Resource.Status> {
        guard ExchangeTracing.isActive else { return await reconcile(key, state: state) }
        let trace = await store.traceContext(of: key)
        let parent = trace.map { ExchangeTracing.context(continuing: $0.parent) } ?? (ServiceContext.current ?? .topLevel)
        // The first try at what a fetch brought starts where that fetch did: the span covers it.
        let fetched = state.failures == 0 && !state.requeued ? trace?.fetchStarted : nil
        let span = startSpan(ExchangeTracing.reconcileSpan, at: fetched ?? DefaultTracerClock.now, context: parent, ofKind: .consumer)
        span.attributes["giter.resource"] = "\(key)"
        if fetched != nil { span.addEvent("giter.fetched") }
        let outcome = await ServiceContext.withValue(span.context) { await reconcile(key, state: state) }
        switch outcome {
        case .reconciled(var pending, let version, let next):
            span.attributes["giter.generation"] = version.generation
            pending.span = span
            return .reconciled(pending, version, next: next)
        case .terminal(var pending, let version):
            span.attributes["giter.generation"] = version.generation
            span.setStatus(SpanStatus(code: .error, message: "reconcile failed for good"))
            pending.span = span
            return .terminal(pending, version)
        case .failed, .unreadable:
            span.setStatus(SpanStatus(code: .error, message: "reconcile failed; retried"))
            span.end()
        case .gone, .skipped:
            span.end()
        }
        return outcome
    }

    private func reconcile(_ key: ResourceKey, state: KeyState) async -> ReconcileOutcome<Resource.Status> {
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
            let failures = Int(state.failures) + 1
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
            attempt: Int(state.failures) + 1, logger: contextLogger)
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
            status.conformReconciled(generation: generation, requeued: result.next != .done)
            logger.debug("reconciled", metadata: metadata)
            return .reconciled(PendingStatus(status: status, specDigest: stored.specDigest), version, next: result.next)
        case .failure(let error as TerminalError):
            metrics.terminalFailures.increment()
            var status = reconciler.status(for: stored.resource, afterTerminalError: error)
            status.conformTerminal(generation: generation, error: error)
            logger.error("reconcile failed for good: \(error)", metadata: metadata)
            return .terminal(PendingStatus(status: status, specDigest: stored.specDigest), version)
        case .failure(let error):
            metrics.failures.increment()
            let failures = Int(state.failures) + 1
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
