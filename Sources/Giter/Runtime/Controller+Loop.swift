import Logging
import Metrics

/// The child tasks of a running controller; each ends with an event for the loop.
typealias ControllerTasks<Resource: ExchangedResource> = TaskGroup<ControllerLoopEvent<Resource>>

extension Controller {
    // MARK: The work loop

    /// Starts the signal listener, the event sources and the first sync,
    /// then handles one event at a time until the controller stopped and
    /// nothing it started runs; then cancels what is left (timers, the
    /// listener, event sources) and waits for it.
    func runLoop() async {
        guard !hasRun else {
            logger.warning("run() was called again; a controller runs once")
            return
        }
        hasRun = true
        logger.info("controller started", metadata: ["kind": "\(store.resourceType.kind)"])
        await withTaskGroup(of: ControllerLoopEvent<Resource>.self) { tasks in
            for source in eventSources {
                tasks.addTask {
                    await source(self)
                    return .sourceEnded
                }
            }
            if options.watchesLocalRemote, let remote = store.localRemote {
                tasks.addTask { [logger] in
                    await SharedRefWatches.shared.withHints(of: remote, logger: logger) { hints in
                        for await _ in hints { self.trigger() }
                    }
                    return .sourceEnded
                }
            }
            startLeaderElection(&tasks)
            startSharding(&tasks)
            listen(&tasks)
            schedule(&tasks)
            while !isFinished, let event = await tasks.next() {
                handle(event, &tasks)
                schedule(&tasks)
                checkIdle()
            }
            tasks.cancelAll()
        }
        await releaseLeases()
        ended = true
        checkIdle()
        logger.info("controller stopped", metadata: ["kind": "\(store.resourceType.kind)"])
    }

    /// Whether the controller stopped and nothing it waits for runs.
    var isFinished: Bool {
        stopping && runningReconciles == 0 && !syncing && !flushing && !finalRetryArmed
            && (pending.isEmpty || gaveUpWriting)
    }

    /// Waits for the next signal in a child task.
    private func listen(_ tasks: inout ControllerTasks<Resource>) {
        tasks.addTask { [signals] in
            for await signal in signals {
                return .signal(signal)
            }
            return .signalsEnded
        }
    }

    private func handle(_ event: ControllerLoopEvent<Resource>, _ tasks: inout ControllerTasks<Resource>) {
        switch event {
        case .signal(let signal):
            listen(&tasks)
            switch signal {
            case .trigger: syncRequested = true
            case .shutdown: beginStopping()
            case .shardsOwned(let owned): shardRoundEnded(owned: owned)
            }
        case .signalsEnded:
            beginStopping()
        case .sourceEnded:
            break
        case .timer(let timer, let fired):
            timerEnded(timer, fired: fired)
        case .synced(let outcome, let triggers):
            applySync(outcome)
            // A change of the shards owned does not stop the parts: each is queued by who owns what then,
            // and the sync is read again once it ends (below).
            if case .part(_, let progress) = outcome, !stopping {
                continueSync(progress, triggers: triggers, &tasks)
                return
            }
            syncing = false
            if case .part = outcome {
                // Stopping before its last part: it covered no trigger.
            } else {
                triggersHandled = max(triggersHandled, triggers)
            }
            if syncEpoch != ownershipEpoch {
                // The shards owned changed while it ran: what it skipped may be this replica's now.
                syncedRevision = nil
                synced = false
                syncRequested = true
            }
            if !stopping && !pollArmed {
                pollArmed = true
                arm(.poll, after: options.nextPollDelay(), &tasks)
            }
        case .reconciled(let key, let outcome):
            runningReconciles -= 1
            apply(outcome, of: key, &tasks)
            queue.done(key)
            metrics.depth.record(queue.depth)
        case .flushed(let outcome):
            flushing = false
            applyFlush(outcome, &tasks)
        }
    }

    private func timerEnded(_ timer: ControllerTimer, fired: Bool) {
        switch timer {
        case .poll:
            pollArmed = false
            if fired { syncRequested = true }
        case .statusWindow(let failures):
            windowArmed = false
            // A write that failed since it was armed waits for a window of its backoff instead.
            if failures == failedFlushes { flushDue = true }
        case .finalFlushRetry:
            // Cancelled means run() was cancelled: try again at once, still at most three times.
            finalRetryArmed = false
        case .requeue(let key, let token):
            guard fired, requeueTokens[key] == token else { return }
            requeueTokens[key] = nil
            keys[key]?.requeued = true
            enqueue(key)
        }
    }

    /// Starts what is due: a sync, reconciles up to the limit, a status write.
    private func schedule(_ tasks: inout ControllerTasks<Resource>) {
        // With a leader election, only the leader syncs and starts reconciles.
        let leads = leads
        if syncRequested && !syncing && !stopping && leads {
            syncRequested = false
            startSync(&tasks)
        }
        while !stopping, leads, runningReconciles < options.maxConcurrentReconciles, let key = queue.take() {
            guard owns(key) else {
                // Not this replica's shard now (another's, one being given up, or a term that
                // lapsed): parked until the next shard round says whose it is.
                queue.done(key)
                parked.insert(key)
                continue
            }
            runningReconciles += 1
            startReconcile(key, &tasks)
        }
        guard !pending.isEmpty else {
            flushDue = false
            return
        }
        guard !flushing else { return }
        if !stopping, let sharding = options.sharding, !pending.keys.contains(where: { sharding.fencingToken(for: $0) != nil }) {
            // Only statuses of shards not held now: they wait for the end of the shard round.
            return
        }
        if stopping {
            // Let in-flight reconciles finish, then write what they left.
            if runningReconciles == 0 && !finalRetryArmed && !gaveUpWriting {
                startFlush(final: true, &tasks)
            }
        } else if flushDue || (failedFlushes == 0 && options.sharding == nil && pending.count >= statusesPerCommit) {
            // A full commit's worth does not wait for the window (with shards, pending counts statuses of
            // shards not held too: their commits wait for it).
            flushDue = false
            startFlush(final: false, &tasks)
        } else if !windowArmed {
            windowArmed = true
            // After writes that failed as a whole, the next waits as a failed reconcile's retry does.
            let delay =
                failedFlushes == 0
                ? options.statusWriteWindow
                : max(options.statusWriteWindow, options.errorBackoff.bound(afterFailures: failedFlushes))
            arm(.statusWindow(failures: failedFlushes), after: delay, &tasks)
        }
    }

    private func beginStopping() {
        guard !stopping else { return }
        stopping = true
        // Timers still armed end with the loop; what they would start is not wanted any more.
        requeueTokens = [:]
    }

    // MARK: Timers

    /// Starts a timer: a child task that sleeps on the controller's clock.
    func arm(_ timer: ControllerTimer, after delay: Duration, _ tasks: inout ControllerTasks<Resource>) {
        tasks.addTask { [clock] in
            do {
                try await clock.sleep(for: delay)
                return .timer(timer, fired: true)
            } catch {
                return .timer(timer, fired: false)
            }
        }
    }

    /// Queues `key` again after `delay`, replacing an earlier delayed requeue of it.
    func requeue(_ key: ResourceKey, after delay: Duration, _ tasks: inout ControllerTasks<Resource>) {
        nextRequeueToken += 1
        requeueTokens[key] = nextRequeueToken
        arm(.requeue(key, token: nextRequeueToken), after: delay, &tasks)
    }

    func enqueue(_ key: ResourceKey) {
        guard !stopping else { return }
        queue.add(key)
        metrics.depth.record(queue.depth)
    }

    func forget(_ key: ResourceKey) {
        keys[key] = nil
        pending[key] = nil
        requeueTokens[key] = nil
        unreadable[key] = nil
    }
}
