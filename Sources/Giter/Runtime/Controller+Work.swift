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
        case .skipped:
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
            lockedFlushes = 0
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
                    if let refused = batch[key], !refused.reportsRefusal { reportRefused(key, refused, reason: reason) }
                default:
                    allWritten = false
                    if pending[key] == nil { pending[key] = batch[key] }
                    logger.warning("status not written: \(outcome)", metadata: ["resource": "\(key)"])
                }
            }
        case .failure(let error):
            allWritten = false
            for key in flush.keys where pending[key] == nil { pending[key] = batch[key] }
            if let error = error as? StoreError, error.code == .branchLocked {
                // Not a lost race: someone must remove the lock. Say so, and try again less and less often.
                lockedFlushes += 1
                logger.error("could not write \(flush.keys.count) statuses, the branch stays locked: \(error)")
            } else {
                lockedFlushes = 0
                logger.warning("could not write \(flush.keys.count) statuses, will retry: \(error)")
            }
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
