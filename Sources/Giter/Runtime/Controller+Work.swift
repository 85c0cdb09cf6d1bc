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
            state.failures += 1
            state.requeued = false
            if !stopping { requeue(key, after: delay, &tasks) }
        }
        keys[key] = state
    }

    // MARK: Status writes

    /// Writes every pending status in one commit, in a child task; after a
    /// batch that failed as a whole for no status in particular, one
    /// commit per status, so that the one that fails cannot hold the others.
    func startFlush(final: Bool, _ tasks: inout ControllerTasks<Resource>) {
        flushing = true
        let batch = pending
        pending = [:]
        let keys = batch.keys.sorted()
        let writes = keys.compactMap { key in
            batch[key].map { ResourceWrite<Resource>.status(key, $0.status, specDigest: $0.specDigest) }
        }
        let oneByOne = writeOneByOne && writes.count > 1
        writeOneByOne = false
        tasks.addTask { [store] in
            guard oneByOne else {
                let result: Result<[WriteOutcome], any Error>
                do {
                    result = .success(try await store.write(writes).outcomes)
                } catch {
                    result = .failure(error)
                }
                return .flushed(FlushOutcome(batch: batch, keys: keys, result: result, final: final))
            }
            var outcomes: [WriteOutcome] = []
            var errors: [ResourceKey: any Error] = [:]
            for (key, write) in zip(keys, writes) {
                do {
                    outcomes.append(try await store.write(write))
                } catch {
                    errors[key] = error
                    outcomes.append(.notApplied("\(error)"))
                }
            }
            return .flushed(FlushOutcome(batch: batch, keys: keys, result: .success(outcomes), errors: errors, final: final))
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
                    hold(key, batch[key], reason: flush.errors[key].map { "\($0)" } ?? "\(outcome)", &tasks)
                }
                if outcome.isSuccess { statusFailures[key] = nil }
            }
        case .failure(let error as StoreError) where error.code == .branchLocked:
            allWritten = false
            for key in flush.keys where pending[key] == nil { pending[key] = batch[key] }
            // Not a lost race: someone must remove the lock. Say so, and try again less and less often.
            lockedFlushes += 1
            logger.error("could not write \(flush.keys.count) statuses, the branch stays locked: \(error)")
        case .failure(let error):
            allWritten = false
            lockedFlushes = 0
            let named = (error as? StoreError)?.path.flatMap { ResourceKey(repositoryPath: $0) }
            if let named, batch[named] != nil {
                // One status's file failed the batch: hold it back, and write the others at once.
                hold(named, batch[named], reason: "\(error)", &tasks)
                for key in flush.keys where key != named && pending[key] == nil { pending[key] = batch[key] }
                flushDue = true
            } else if flush.keys.count > 1 {
                for key in flush.keys where pending[key] == nil { pending[key] = batch[key] }
                writeOneByOne = true
                flushDue = true
                logger.warning("could not write \(flush.keys.count) statuses, writing them one by one: \(error)")
            } else if let key = flush.keys.first {
                hold(key, batch[key], reason: "\(error)", &tasks)
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

extension Controller {
    // MARK: Statuses that failed alone

    /// Makes `status` the one to write for `key`: a status held for its own
    /// retry is older, and is never written after it.
    func replacePending(_ key: ResourceKey, with status: PendingStatus<Resource.Status>) {
        pending[key] = status
        held[key] = nil
        statusRetryTokens[key] = nil
    }

    /// Holds `status` of `key`, whose own write failed (`reason`), until
    /// its retry after ``ControllerOptions/errorBackoff``; the other
    /// statuses are written meanwhile. While stopping it is put back with
    /// the others: the final writes have their own bound.
    func hold(
        _ key: ResourceKey, _ status: PendingStatus<Resource.Status>?, reason: String,
        _ tasks: inout ControllerTasks<Resource>
    ) {
        guard let status, unreadable[key] == nil else { return }
        metrics.statusWriteErrors.increment()
        if stopping {
            if pending[key] == nil { pending[key] = status }
            logger.warning("status not written: \(reason)", metadata: ["resource": "\(key)"])
            return
        }
        // A status reconciled meanwhile is newer: it is the one to write.
        if pending[key] == nil { held[key] = status }
        let failures = (statusFailures[key] ?? 0) + 1
        statusFailures[key] = failures
        let delay = options.errorBackoff.delay(afterFailures: failures)
        logger.warning(
            "status not written (attempt \(failures)), retrying in \(delay) for this resource only: \(reason)",
            metadata: ["resource": "\(key)"])
        options.eventHandler?(.statusNotWritten(key, reason: reason, retryAfter: delay))
        nextRequeueToken += 1
        statusRetryTokens[key] = nextRequeueToken
        arm(.statusRetry(key, token: nextRequeueToken), after: delay, &tasks)
    }
}
