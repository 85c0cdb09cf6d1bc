import Logging

extension Controller {
    /// Whether this replica reconciles `key`: it is in the static
    /// ``ControllerOptions/shard`` (if any) and in a shard the
    /// ``ControllerOptions/sharding`` coordinator lets it start (if any).
    func owns(_ key: ResourceKey) -> Bool {
        (options.shard?.contains(key) ?? true) && (options.sharding?.owns(key) ?? true)
    }

    /// Runs the rounds of ``ControllerOptions/sharding`` beside the loop;
    /// the end of each reaches the loop as a signal.
    func startSharding(_ tasks: inout ControllerTasks<Resource>) {
        guard let sharding = options.sharding else { return }
        tasks.addTask { [signalInput] in
            await sharding.run(isDrained: { shard in await self.isDrained(shard) }) { owned in
                signalInput.yield(.shardsOwned(owned))
            }
            return .sourceEnded
        }
    }

    /// A shard round ended: on a change of the shards owned, forget what
    /// is not owned any more and read everything again; either way, queue
    /// the parked keys owned now (a term that lapsed and was renewed within
    /// the round changes nothing else) and drop the others.
    func shardRoundEnded(owned: Set<Int>) {
        if owned != shardsOwned {
            logger.info(
                "shards owned: \(owned.sorted())", metadata: ["group": "\(options.sharding?.options.group ?? "")"])
            shardsOwned = owned
            ownershipChanged()
        }
        // A status whose shard is not held after a whole round is its new holder's to write.
        for (key, _) in pending where options.sharding?.fencingToken(for: key) == nil {
            logger.notice("dropped the status of a shard this replica does not hold", metadata: ["resource": "\(key)"])
            forget(key)
            // Reconciled again below if the shard is held after all (its term had lapsed for a moment).
            parked.insert(key)
        }
        let keys = parked
        parked = []
        for key in keys where owns(key) { enqueue(key) }
    }

    /// Whether nothing of `shard` runs or waits to be written here, so its
    /// lease may be given up. A status write in flight counts for every shard.
    func isDrained(_ shard: Int) -> Bool {
        guard let sharding = options.sharding else { return true }
        if flushing || ended { return ended }
        return !queue.processing.contains { sharding.shard(of: $0) == shard }
            && !pending.keys.contains { sharding.shard(of: $0) == shard }
    }

    /// The shards owned changed: forget what this replica no longer holds
    /// at all (its statuses not yet written are dropped: the new holder
    /// reconciles afresh; a shard being given up is still held, and keeps
    /// its state) and read every resource again — a sync already running
    /// is read again after it — so that the shards just taken are reconciled
    /// where their status is not current. Delayed requeues of a key do not
    /// move to its new holder.
    func ownershipChanged() {
        ownershipEpoch += 1
        for key in Set(keys.keys).union(pending.keys).union(requeueTokens.keys)
        where options.sharding?.fencingToken(for: key) == nil {
            forget(key)
        }
        syncedRevision = nil
        synced = false
        syncRequested = true
    }

    /// Takes the pending statuses this replica may write now out of
    /// `pending`: without a coordinator all of them; with one, those of
    /// shards it holds. The others stay until a shard round says whose they
    /// are (a term that lapsed for a moment is renewed), or are dropped by
    /// the `final` write of a controller that stops.
    ///
    /// At most ``ControllerOptions/maxStatusesPerCommit`` are taken (see
    /// ``take(oneCommitsWorthOf:)``); the rest stay pending.
    func writablePending(final: Bool) -> [ResourceKey: PendingStatus<Resource.Status>] {
        guard let sharding = options.sharding else { return take(oneCommitsWorthOf: nil) }
        let writable = pending.keys.filter { sharding.fencingToken(for: $0) != nil }
        let unheld = pending.count - writable.count
        if final && unheld > 0 {
            logger.notice("stopping: \(unheld) statuses of shards this replica no longer holds are left to their holders")
        }
        let batch = take(oneCommitsWorthOf: writable)
        // A final write drops the statuses of shards not held; those of held shards left for another commit stay.
        if final { pending = pending.filter { sharding.fencingToken(for: $0.key) != nil } }
        return batch
    }

    /// Takes at most ``ControllerOptions/maxStatusesPerCommit`` of `keys`
    /// (`nil`: all pending) out of `pending`: when there are more, in key order from the first
    /// key after ``lastKeyWritten`` (then from the first key), so that a
    /// status left for a later commit is not passed over again and again by
    /// newer ones of smaller keys. Removed one by one, so that `pending`
    /// keeps its table and no second one is made beside it.
    private func take(oneCommitsWorthOf keys: [ResourceKey]?) -> [ResourceKey: PendingStatus<Resource.Status>] {
        let limit = statusesPerCommit
        keyBeforeFlush = lastKeyWritten
        if keys == nil, pending.count <= limit {
            // All of them: the table itself, not a copy key by key.
            defer { pending = [:] }
            return pending
        }
        let keys = keys ?? Array(pending.keys)
        var chosen = keys
        if keys.count > limit {
            chosen = Array(statusWritingOrder(keys, after: lastKeyWritten).prefix(limit))
            lastKeyWritten = chosen.last
        }
        var batch: [ResourceKey: PendingStatus<Resource.Status>] = [:]
        batch.reserveCapacity(chosen.count)
        for key in chosen { batch[key] = pending.removeValue(forKey: key) }
        return batch
    }
}

extension Controller {
    /// ``ControllerOptions/maxStatusesPerCommit``, at least 1.
    var statusesPerCommit: Int { max(1, options.maxStatusesPerCommit) }
}

/// `keys` in key order from the first key after `last`, then from the
/// first key up to `last`: the order in which statuses too many for one
/// commit are written (see ``ControllerOptions/maxStatusesPerCommit``).
func statusWritingOrder(_ keys: some Sequence<ResourceKey>, after last: ResourceKey?) -> [ResourceKey] {
    let sorted = keys.sorted()
    guard let last else { return sorted }
    let start = sorted.partitioningIndex { $0 > last }
    return Array(sorted[start...] + sorted[..<start])
}
