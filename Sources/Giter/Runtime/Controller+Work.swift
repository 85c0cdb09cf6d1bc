import Logging
import Metrics

extension Controller {
    // MARK: Workers

    func workerLoop() async {
        activeWorkers += 1
        while let key = await nextKey() {
            await process(key)
            queue.done(key)
            depth.record(queue.depth)
            checkIdle()
        }
        activeWorkers -= 1
    }

    private func nextKey() async -> ResourceKey? {
        if stopping { return nil }
        if let key = queue.take() { return key }
        return await withCheckedContinuation { waitingWorkers.append($0) }
    }

    /// Reconciles one resource, as it is in the store now.
    func process(_ key: ResourceKey) async {
        var metadata: Logger.Metadata = ["resource": "\(key)"]
        let stored: StoredResource<Resource>
        do {
            guard let found = try await store.get(key) else {
                forget(key)
                return
            }
            stored = found
        } catch {
            logger.warning("cannot read the resource: \(error)", metadata: metadata)
            return
        }
        let version = SpecVersion(digest: stored.specDigest, generation: stored.generation)
        var state = keys[key] ?? KeyState()
        // Queued twice for one spec (a sync and a stale write racing): once is enough,
        // unless the reconciler asked to be called again.
        if state.terminal == version || (state.reconciled == version && !state.requeued) { return }
        state.requeued = false
        metadata["generation"] = "\(stored.generation)"
        var contextLogger = logger
        for (name, value) in metadata { contextLogger[metadataKey: name] = value }
        let context = ReconcileContext(
            key: key, generation: stored.generation, idempotencyKey: stored.idempotencyKey,
            attempt: state.failures + 1, logger: contextLogger)
        let start = ContinuousClock.now
        do {
            let result = try await reconciler.reconcile(stored.resource, context: context)
            record(since: start, outcome: "success")
            var status = result.status
            status.observedGeneration = stored.resource.metadata.generation
            pending[key] = PendingStatus(status: status, specDigest: stored.specDigest)
            wakeFlusher()
            state.reconciled = version
            state.terminal = nil
            state.failures = 0
            if case .requeue(let delay) = result.next { requeue(key, after: delay) }
            logger.debug("reconciled", metadata: metadata)
        } catch let error as TerminalError {
            record(since: start, outcome: "terminal")
            terminalFailures.increment()
            var status = reconciler.status(for: stored.resource, afterTerminalError: error)
            status.observedGeneration = stored.resource.metadata.generation
            pending[key] = PendingStatus(status: status, specDigest: stored.specDigest)
            wakeFlusher()
            state.terminal = version
            state.reconciled = nil
            state.failures = 0
            logger.error("reconcile failed for good: \(error)", metadata: metadata)
        } catch {
            record(since: start, outcome: "error")
            failures.increment()
            state.failures += 1
            let delay = options.errorBackoff.delay(afterFailures: state.failures)
            logger.warning("reconcile failed (attempt \(state.failures)), retrying in \(delay): \(error)", metadata: metadata)
            if !stopping { requeue(key, after: delay) }
        }
        keys[key] = state
    }

    private func record(since start: ContinuousClock.Instant, outcome: String) {
        reconciles.increment()
        let elapsed = ContinuousClock.now - start
        duration.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    // MARK: Status writes

    func flushLoop() async {
        var failedFinalFlushes = 0
        while true {
            if stopping {
                // Let in-flight reconciles finish, then write what they left.
                if activeWorkers > 0 {
                    try? await Task.sleep(for: .milliseconds(5))
                    continue
                }
                if pending.isEmpty { return }
                if await !flush() {
                    failedFinalFlushes += 1
                    if failedFinalFlushes >= 3 {
                        logger.error("stopping with \(pending.count) statuses not written; they will be reconciled again")
                        return
                    }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                continue
            }
            if pending.isEmpty {
                await withCheckedContinuation { flushWaiter = $0 }
                continue
            }
            // Checked and started with no suspension in between, so a shutdown cancels this sleep.
            let window = options.statusWriteWindow
            let sleeper = Task { _ = try? await Task.sleep(for: window) }
            flushSleeper = sleeper
            await sleeper.value
            flushSleeper = nil
            await flush()
        }
    }

    /// Writes every pending status in one commit; returns whether the write went through.
    @discardableResult
    func flush() async -> Bool {
        guard !pending.isEmpty, !flushing else { return true }
        flushing = true
        defer {
            flushing = false
            checkIdle()
        }
        let batch = pending
        pending = [:]
        let keys = batch.keys.sorted()
        let writes = keys.compactMap { key in
            batch[key].map { ResourceWrite<Resource>.status(key, $0.status, specDigest: $0.specDigest) }
        }
        do {
            let result = try await store.write(writes)
            var allWritten = true
            for (key, outcome) in zip(keys, result.outcomes) {
                switch outcome {
                case .statusWritten, .unchanged:
                    break
                case .stale:
                    // The spec changed after it was reconciled: never publish that status. Reconcile
                    // again, unless the new spec has been reconciled meanwhile.
                    if self.keys[key]?.reconciled?.digest == batch[key]?.specDigest {
                        self.keys[key]?.reconciled = nil
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
            return allWritten
        } catch {
            for key in keys where pending[key] == nil { pending[key] = batch[key] }
            logger.warning("could not write \(keys.count) statuses, will retry: \(error)")
            return false
        }
    }
}
