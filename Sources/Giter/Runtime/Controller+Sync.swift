import Logging
import Metrics
import Synchronization

extension Controller {
    // MARK: Sync

    /// Refreshes the store in a child task; the loop then queues what
    /// changed, one part (``ControllerOptions/syncPartSize`` keys) at a time.
    func startSync(_ tasks: inout ControllerTasks<Resource>) {
        syncing = true
        let triggers = triggersRequested.load(ordering: .sequentiallyConsistent)
        let since = syncedRevision
        let synced = synced
        let limit = max(1, options.syncPartSize)
        syncEpoch = ownershipEpoch
        tasks.addTask { [store, logger] in
            do {
                // A refresh asks a remote on this machine whether it moved before it
                // fetches anything; a server it fetches from at once (a no-op fetch costs no more).
                try await store.refresh()
                let revision = await store.revision()
                if synced && revision == since { return .synced(.unchanged, triggers: triggers) }
                let first = SyncProgress(since: since, revision: nil, after: nil)
                return .synced(try await Self.readPart(of: store, first, limit: limit, logger: logger), triggers: triggers)
            } catch {
                return .synced(.failed(error), triggers: triggers)
            }
        }
    }

    /// Reads the next part of a sync in a child task.
    func continueSync(_ progress: SyncProgress, triggers: Int, _ tasks: inout ControllerTasks<Resource>) {
        let limit = max(1, options.syncPartSize)
        tasks.addTask { [store, logger] in
            do {
                return .synced(try await Self.readPart(of: store, progress, limit: limit, logger: logger), triggers: triggers)
            } catch {
                return .synced(.failed(error), triggers: triggers)
            }
        }
    }

    /// The part of the changes that `progress` is at, or, when the revision
    /// the sync reads since is gone (a force-push, a new mirror), the first
    /// part of every resource as the branch is now.
    private static func readPart(
        of store: any ResourceStore<Resource>, _ progress: SyncProgress, limit: Int, logger: Logger
    ) async throws -> SyncOutcome<Resource> {
        do {
            return try await readPart(of: store, progress, limit: limit)
        } catch where progress.since != nil {
            logger.notice("re-reading every resource: \(error)")
            return try await readPart(of: store, SyncProgress(since: nil, revision: nil, after: nil), limit: limit)
        }
    }

    /// The part of the changes that `progress` is at: the whole sync's
    /// outcome when it is the last. Every part of a sync describes the
    /// first part's revision; a store whose parts do not, or that does not
    /// move on, fails the sync (it is read again at the next check).
    private static func readPart(
        of store: any ResourceStore<Resource>, _ progress: SyncProgress, limit: Int
    ) async throws -> SyncOutcome<Resource> {
        let changes = try await store.changes(since: progress.since, after: progress.after, limit: limit)
        if let after = progress.after {
            guard changes.revision == progress.revision else {
                throw StoreError(
                    .invalidPart,
                    "the store's part after \(after) describes revision \(changes.revision?.rawValue ?? "none"), "
                        + "not \(progress.revision?.rawValue ?? "none") as the sync's first part: "
                        + "every part of a range must describe the revision of its first")
            }
            if let end = changes.partEnd, end <= after {
                throw StoreError(
                    .invalidPart,
                    "the store's part of its changes after \(after) ends at \(end): it does not move on; "
                        + "changes(since:after:limit:) must return keys after the one it is given")
            }
        }
        guard let end = changes.partEnd else { return .changes(changes) }
        return .part(changes, SyncProgress(since: progress.since, revision: changes.revision, after: end))
    }

    /// Queues what a sync found changed: a whole sync, or a part of one.
    func applySync(_ outcome: SyncOutcome<Resource>) {
        switch outcome {
        case .unchanged:
            break
        case .failed(let error):
            metrics.syncErrors.increment()
            logger.warning("could not read the exchange: \(error)")
        case .part(let changes, _):
            queueChanges(changes)
        case .changes(let changes):
            syncedRevision = changes.revision
            synced = true
            queueChanges(changes)
        }
    }

    private func queueChanges(_ changes: ResourceChanges<Resource>) {
        for key in changes.removed { forget(key) }
        for stored in changes.updated {
            guard owns(stored.key) else {
                // Perhaps a term that lapsed for a moment: the next shard round says whose it is.
                if options.sharding != nil, needsReconcile(stored) { parked.insert(stored.key) }
                continue
            }
            if unreadable.removeValue(forKey: stored.key) != nil {
                logger.notice("the resource's file reads again", metadata: ["resource": "\(stored.key)"])
            }
            if needsReconcile(stored) { enqueue(stored.key) }
        }
        for invalid in changes.invalid where owns(invalid.key) {
            unreadable[invalid.key] = nil
            reportInvalid(invalid)
        }
        for broken in changes.unreadable where owns(broken.key) {
            reportUnreadable(broken)
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
        if status.isTrue(StandardCondition.reconciling) { return true }
        return !options.finishedConditions.contains { status.isTrue($0) }
    }

    /// Publishes, in place of a status the contract refused (one its
    /// CustomResourceDefinition does not allow), a status made only of the
    /// fields Giter maintains — always allowed — saying why, so that the
    /// producer learns of it instead of waiting.
    func reportRefused(_ key: ResourceKey, _ refused: PendingStatus<Resource.Status>, reason: String) {
        let generation = refused.status.observedGeneration ?? 0
        var status = Resource.Status()
        status.observedGeneration = refused.status.observedGeneration
        for type in ["Ready", "Stalled"] {
            status.conditions.setCondition(
                Condition(
                    type: type, status: type == "Ready" ? .false : .true, observedGeneration: generation,
                    reason: "StatusRefused", message: String(reason.prefix(30_000))))
        }
        replacePending(key, with: PendingStatus(status: status, specDigest: refused.specDigest, reportsRefusal: true))
        keys[key, default: KeyState()].terminal = SpecVersion(digest: refused.specDigest, generation: generation)
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
        replacePending(invalid.key, with: PendingStatus(status: status, specDigest: invalid.specDigest))
        keys[invalid.key, default: KeyState()].terminal = version
        logger.error("the resource is invalid: \(message)", metadata: ["resource": "\(invalid.key)"])
        options.eventHandler?(.invalidResource(invalid))
    }

    /// Reports a resource whose file cannot be read at all, once per
    /// version of the file, and drops what waits to be written into it: a
    /// consumer never writes into a file it cannot read (the contract's
    /// rule), so only its producer can mend it. Every other resource goes on.
    func reportUnreadable(_ broken: UnreadableResource) {
        let key = broken.key
        pending[key] = nil
        requeueTokens[key] = nil
        // Reconciled afresh once the file reads again.
        keys[key] = nil
        guard unreadable[key] != broken.version else { return }
        unreadable[key] = broken.version
        metrics.unreadable.increment()
        logger.error(
            "cannot read the resource's file; nothing is written into it until its producer replaces or deletes it: \(broken.error)",
            metadata: ["resource": "\(key)", "path": "\(broken.error.path ?? key.repositoryPath)"])
        options.eventHandler?(.unreadableResource(broken))
    }
}
