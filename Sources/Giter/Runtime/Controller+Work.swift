import Logging
import Metrics
import Tracing

extension Controller {
    // MARK: Reconciles

    /// Reconciles `key` in a child task; the loop then records the outcome.
    func startReconcile(_ key: ResourceKey, _ tasks: inout ControllerTasks<Resource>) {
        let step = ReconcileStep(
            store: store, reconciler: reconciler, options: options, clock: clock, metrics: metrics)
        let state = keys[key] ?? KeyState()
        if let sharding = options.sharding {
            // Cancelled if this replica's term on the key's shard ends meanwhile.
            tasks.addTask {
                .reconciled(key, await sharding.whileHolding(key) { await step.run(key, state: state) })
            }
        } else {
            tasks.addTask {
                .reconciled(key, await step.run(key, state: state))
            }
        }
    }

    /// Records how a reconcile of `key` ended.
    func apply(
        _ outcome: ReconcileOutcome<Resource.Status>, of key: ResourceKey, _ tasks: inout ControllerTasks<Resource>
    ) {
        if unreadable[key] != nil {
            // The file broke after the read: nothing is written into it, nothing retried until it changes.
            if case .gone = outcome { forget(key) }
            return
        }
        var state = keys[key] ?? KeyState()
        switch outcome {
        case .gone:
            return forget(key)
        case .skipped:
            return
        case .unreadable:
            // The sync that sees the file reports it; there is nothing to retry until it changes.
            state.failures = 0
            state.requeued = false
        case .reconciled(let status, let version, let next):
            replacePending(key, with: status)
            state.reconciled = version
            state.terminal = nil
            state.failures = 0
            state.requeued = false
            if case .requeue(let delay) = next, !stopping { requeue(key, after: delay, &tasks) }
        case .terminal(let status, let version):
            replacePending(key, with: status)
            state.terminal = version
            state.reconciled = nil
            state.failures = 0
            state.requeued = false
        case .failed(let delay):
            state.failures = state.failures == .max ? .max : state.failures + 1
            state.requeued = false
            if !stopping { requeue(key, after: delay, &tasks) }
        }
        keys[key] = state
    }

    // MARK: Status writes

    /// Writes the pending statuses (at most
    /// ``ControllerOptions/maxStatusesPerCommit``) in one commit, in a child task. The
    /// store makes each status's own failure its outcome
    /// (``WriteOutcome/failed(_:)``), so one status never fails the others.
    func startFlush(final: Bool, _ tasks: inout ControllerTasks<Resource>) {
        let batch = writablePending(final: final)
        guard !batch.isEmpty else { return }
        flushing = true
        let keys = batch.keys.sorted()
        let writes = keys.compactMap { key in
            batch[key].map { ResourceWrite<Resource>.status(key, $0.status, specDigest: $0.specDigest) }
        }
        // Each status's trailer carries its reconcile's trace context.
        let contexts = batch.compactMapValues { $0.span?.context }
        tasks.addTask { [store] in
            let result: Result<[WriteOutcome], any Error>
            do {
                result = .success(
                    try await ExchangeTracing.$writeContexts.withValue(contexts) { try await store.write(writes).outcomes })
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
            var notApplied: (keys: [ResourceKey], reason: String)?
            for (key, outcome) in zip(flush.keys, outcomes) {
                if case .notApplied = outcome {} else { batch[key]?.endSpan(after: outcome) }
                switch outcome {
                case .statusWritten, .unchanged, .created, .configured, .archived, .deleted:
                    break
                case .stale:
                    // The spec changed after it was reconciled: never publish that status. Reconcile
                    // again, unless the new spec has been reconciled meanwhile.
                    if let reconciled = keys[key]?.reconciled, let stale = batch[key],
                        reconciled.digest == SpecVersion.value(ofDigest: stale.specDigest) {
                        keys[key]?.reconciled = nil
                        enqueue(key)
                    }
                case .gone, .notFound:
                    forget(key)
                case .failed(let error) where error.isFileError:
                    // The file broke after the reconcile: nothing is written into it. The sync reports it.
                    logger.warning(
                        "status dropped, the resource's file cannot be read: \(error)", metadata: ["resource": "\(key)"])
                    pending[key] = nil
                    syncRequested = true
                case .refused(let reason):
                    refuse(key, batch[key], reason: reason)
                case .failed(let error):
                    // The status itself cannot be written (it does not encode): retrying cannot help.
                    refuse(key, batch[key], reason: "\(error)")
                case .notApplied(let reason):
                    // The store gave up on the batch (GitResourceStore: on every write of it): written again.
                    allWritten = false
                    if pending[key] == nil { pending[key] = batch[key] } else { batch[key]?.endSupersededSpan() }
                    notApplied = ((notApplied?.keys ?? []) + [key], reason)
                }
            }
            if let notApplied {
                batchFailed(notApplied.keys, reason: notApplied.reason, locked: false)
            } else {
                failedFlushes = 0
            }
        case .failure(let error):
            // Never one status's own: a transport error, a branch that stays locked, a history refused.
            allWritten = false
            for key in flush.keys {
                if pending[key] == nil { pending[key] = batch[key] } else { batch[key]?.endSupersededSpan() }
            }
            let locked = (error as? StoreError)?.code == .branchLocked
            batchFailed(flush.keys, reason: "\(error)", locked: locked)
        }
        // Each final commit (of several, when capped) has its own three attempts.
        if flush.final && allWritten { failedFinalFlushes = 0 }
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

    /// Publishes, in place of a status that cannot be written (`reason`),
    /// one that says so (``reportRefused(_:_:reason:)``), unless it is
    /// such a report already.
    private func refuse(_ key: ResourceKey, _ status: PendingStatus<Resource.Status>?, reason: String) {
        logger.error("status dropped: \(reason)", metadata: ["resource": "\(key)"])
        if let status, !status.reportsRefusal { reportRefused(key, status, reason: reason) }
    }

    /// A write of the whole batch failed (`reason`), or left `keys` not
    /// applied: those statuses wait for the next write, which comes after
    /// the growing delays of ``ControllerOptions/errorBackoff``, not at the
    /// next window.
    private func batchFailed(_ keys: [ResourceKey], reason: String, locked: Bool) {
        failedFlushes += 1
        // Not at once (a window that ended during the write), and the batch comes first again when capped.
        flushDue = false
        lastKeyWritten = keyBeforeFlush
        metrics.statusWriteErrors.increment()
        let delay = max(options.statusWriteWindow, options.errorBackoff.bound(afterFailures: failedFlushes))
        if locked {
            // Not a lost race: someone must remove the lock. Say so.
            logger.error(
                "could not write \(keys.count) statuses, the branch stays locked; retrying in \(delay): \(reason)")
        } else {
            logger.warning(
                "could not write \(keys.count) statuses (attempt \(failedFlushes)), retrying in \(delay): \(reason)")
        }
        for key in keys { options.eventHandler?(.statusNotWritten(key, reason: reason, retryAfter: delay)) }
    }
}

extension Controller {
    /// Makes `status` the one to write for `key`.
    func replacePending(_ key: ResourceKey, with status: PendingStatus<Resource.Status>) {
        pending[key]?.endSupersededSpan()
        pending[key] = status
    }
}

extension PendingStatus {
    /// Ends the reconcile's span once its status is pushed (or cannot be).
    func endSpan(after outcome: WriteOutcome) {
        guard let span else { return }
        if outcome.isSuccess {
            span.addEvent("giter.status.pushed")
        } else {
            span.setStatus(SpanStatus(code: .error, message: "status not written: \(outcome)"))
        }
        span.end()
    }

    /// Ends the reconcile's span of a status that will not be written:
    /// a newer one replaces it.
    func endSupersededSpan() {
        guard let span else { return }
        span.addEvent("giter.status.superseded")
        span.end()
    }
}
