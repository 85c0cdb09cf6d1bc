/// What the controller's work loop reacts to. Every input — a trigger,
/// an event source, a timer, the end of a sync, a reconcile or a status
/// write — arrives as one of these, one at a time, so the loop's state
/// needs no lock and no waiting list.
enum ControllerLoopEvent<Resource: ExchangedResource>: Sendable {
    /// A signal from outside the loop: ``Controller/trigger()``, an event source, ``Controller/shutdown()``.
    case signal(ControllerSignal)
    /// The signal stream ended: `run()` was cancelled.
    case signalsEnded
    /// An event source ended.
    case sourceEnded
    /// A timer ended: `fired` when its delay passed, `false` when it was cancelled.
    case timer(ControllerTimer, fired: Bool)
    /// A sync ended; it covered the triggers counted up to `triggers`.
    case synced(SyncOutcome<Resource>, triggers: Int)
    /// A reconcile of `key` ended.
    case reconciled(ResourceKey, ReconcileOutcome<Resource.Status>)
    /// A status write ended.
    case flushed(FlushOutcome<Resource.Status>)
}

/// A signal sent to a running controller from outside its work loop.
enum ControllerSignal: Sendable, Hashable {
    /// Check the remote now.
    case trigger
    /// Stop taking work, finish what runs, push pending statuses.
    case shutdown
    /// A round of ``ControllerOptions/sharding`` ended with these shards owned.
    case shardsOwned(Set<Int>)
}

/// The timers of a running controller; each is a child task of `run()`.
enum ControllerTimer: Sendable, Hashable {
    /// The next poll of the remote.
    case poll
    /// The end of a status write window, armed after `failures` writes in
    /// a row failed: a write that fails meanwhile makes it stale (the next
    /// waits the longer backoff).
    case statusWindow(failures: Int)
    /// The next attempt at writing the last statuses while stopping.
    case finalFlushRetry
    /// A delayed requeue of a key; `token` tells a current timer from a replaced one.
    case requeue(ResourceKey, token: Int)
}

/// What a sync found.
enum SyncOutcome<Resource: ExchangedResource>: Sendable {
    /// The remote did not move since the last sync.
    case unchanged
    /// What changed since the last sync (or the last part of it).
    case changes(ResourceChanges<Resource>)
    /// A part of what changed; more parts follow from `progress`.
    case part(ResourceChanges<Resource>, SyncProgress)
    /// The exchange could not be read.
    case failed(any Error)
}

/// Where a sync read in parts is.
struct SyncProgress: Sendable {
    /// The revision the sync reads the changes since.
    var since: StoreRevision?
    /// The first part's revision, which every part describes.
    var revision: StoreRevision?
    /// The last key read; `nil` before the first part.
    var after: ResourceKey?
}

/// How one reconcile ended.
enum ReconcileOutcome<Status: ReconcilableStatus>: Sendable {
    /// The resource is gone from the store.
    case gone
    /// This spec was reconciled (or failed for good) already.
    case skipped
    /// The reconciler returned a status.
    case reconciled(PendingStatus<Status>, SpecVersion, next: ReconcileResult<Status>.Next)
    /// The reconciler threw a ``TerminalError``.
    case terminal(PendingStatus<Status>, SpecVersion)
    /// The reconciler threw, or the resource could not be read; retry after `delay`.
    case failed(retryAfter: Duration)
    /// The resource's file does not read as a resource (`error`): a sync
    /// reports it; nothing to retry until the file changes.
    case unreadable(StoreError)
}

/// How a status write ended.
struct FlushOutcome<Status: Sendable>: Sendable {
    /// The statuses written, by key.
    var batch: [ResourceKey: PendingStatus<Status>]
    /// The keys in the order written.
    var keys: [ResourceKey]
    /// One outcome per key, or the error of the whole write.
    var result: Result<[WriteOutcome], any Error>
    /// Whether the write was started while stopping.
    var final: Bool
}
