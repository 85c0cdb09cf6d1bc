public import Logging

/// How a ``Controller`` runs.
public struct ControllerOptions: Sendable {
    /// Work split between controller instances: this one takes the keys
    /// whose bucket (see ``ResourceKey/bucket``) modulo `count` is `index`.
    public struct Shard: Sendable, Hashable {
        /// This instance's index, `0..<count`.
        public var index: Int
        /// The number of instances.
        public var count: Int

        /// A shard; `index` must be below `count`.
        public init(index: Int, count: Int) {
            precondition(count > 0 && (0..<count).contains(index), "a shard index must be in 0..<count")
            self.index = index
            self.count = count
        }

        func contains(_ key: ResourceKey) -> Bool {
            Int(key.bucket, radix: 16).map { $0 % count == index } ?? true
        }
    }

    /// How often to check whether the remote moved (a cheap check; a
    /// fetch follows only when it did).
    ///
    /// With a remote on this machine that is watched
    /// (``watchesLocalRemote``) or an event source (a webhook receiver,
    /// ``Controller/addEventSource(_:)``), this is only the safety poll
    /// that covers a lost hint: a push is seen within milliseconds. With
    /// a network remote and no event source, a push waits for the next
    /// poll: half this interval on average (2.5 s by default), at most
    /// this interval plus its jitter. See `Documentation/Events.md`.
    public var pollInterval: Duration
    /// Each poll waits `pollInterval` times a random factor in
    /// `1 - pollJitter ... 1 + pollJitter`, so instances spread out.
    public var pollJitter: Double
    /// The most reconciles running at once.
    public var maxConcurrentReconciles: Int
    /// Statuses are gathered for this long and written in one commit (of
    /// at most ``maxStatusesPerCommit``).
    public var statusWriteWindow: Duration
    /// Backoff of a resource whose reconcile threw; retries never stop
    /// (only ``TerminalError`` stops them), the delay stops growing at the maximum.
    /// Also the delay before a status write that follows writes which
    /// failed as a whole (thrown, or not applied), growing with each.
    public var errorBackoff: RetryPolicy
    /// Only the keys of this shard; `nil` for all.
    public var shard: Shard?
    /// The conditions that say a reconcile is finished when `True`. A
    /// status that describes the current spec but has none of them true —
    /// work in progress, such as a status published with
    /// ``ReconcileResult/requeue(_:after:)`` before a restart — is
    /// reconciled again when a controller starts.
    public var finishedConditions: Set<String>
    /// Whether to watch the store's remote when it is a repository on this
    /// machine (``ResourceStore/localRemote``) with a ``RefWatcher``, so a
    /// push wakes the controller at once instead of at the next poll. On
    /// by default; the polls go on either way. A watch that cannot be set
    /// up is logged and the controller polls.
    public var watchesLocalRemote: Bool
    /// Where the controller logs, with the resource key in the metadata. It never bootstraps logging.
    public var logger: Logger
    /// Called for each ``ControllerEvent``, on the controller's executor: keep it short.
    public var eventHandler: (@Sendable (ControllerEvent) -> Void)?
    /// With an election, several replicas of a consumer run and only the
    /// one that holds the lease syncs and reconciles; the controller runs
    /// the election's rounds beside its loop (see ``LeaderElection`` and
    /// `Documentation/HighAvailability.md`). `nil` (the default): this
    /// replica always reconciles.
    public var leaderElection: LeaderElection? = nil
    /// With a coordinator, replicas of a consumer split the resources by
    /// hash range: this one syncs every resource but reconciles and writes
    /// only those of the shards it holds, and the controller runs the
    /// coordinator's rounds beside its loop, telling it when a shard it
    /// gives up is drained (see ``ShardCoordinator`` and
    /// `Documentation/HighAvailability.md`). Give the store the same
    /// coordinator as its ``StoreOptions/fencing``. `nil` (the default): no
    /// dynamic sharding (``shard`` still applies).
    public var sharding: ShardCoordinator? = nil
    /// How many changed resources a sync reads and queues at a time
    /// (``ResourceStore/changes(since:after:limit:)``): reconciles start
    /// after the first part, and a first sync of a large exchange never
    /// holds every resource decoded at once. 1,000 by default.
    public var syncPartSize: Int = 1_000
    /// The most statuses one status commit holds. When more are pending,
    /// a commit takes this many in key order, starting after the last key
    /// the previous one took (so that none is passed over again and again
    /// by newer ones). While a full commit's worth is pending and no write
    /// has failed, the next commit follows at once, without waiting for
    /// ``statusWriteWindow`` (with a ``sharding`` coordinator it waits);
    /// a commit that fails is written again first, after the backoff.
    /// Bounds the memory of a large sync's status writes: every status of
    /// a commit is encoded, spliced into its file and checked at once.
    /// 10,000 by default; values below 1 count as 1.
    public var maxStatusesPerCommit: Int = 10_000

    /// Options; the defaults suit a consumer of a remote server (polled
    /// every 5 s) and of a repository on this machine (watched).
    public init(
        pollInterval: Duration = .seconds(5),
        pollJitter: Double = 0.1,
        maxConcurrentReconciles: Int = 4,
        statusWriteWindow: Duration = .milliseconds(50),
        errorBackoff: RetryPolicy = RetryPolicy(initialDelay: .milliseconds(200), maxDelay: .seconds(300)),
        shard: Shard? = nil,
        finishedConditions: Set<String> = ["Ready", "Stalled"],
        watchesLocalRemote: Bool = true,
        logger: Logger = Logger(label: "giter.controller"),
        eventHandler: (@Sendable (ControllerEvent) -> Void)? = nil
    ) {
        self.pollInterval = pollInterval
        self.pollJitter = min(max(pollJitter, 0), 1)
        self.maxConcurrentReconciles = max(1, maxConcurrentReconciles)
        self.statusWriteWindow = statusWriteWindow
        self.errorBackoff = errorBackoff
        self.shard = shard
        self.finishedConditions = finishedConditions
        self.watchesLocalRemote = watchesLocalRemote
        self.logger = logger
        self.eventHandler = eventHandler
    }

    /// The next poll's delay.
    func nextPollDelay() -> Duration {
        guard pollJitter > 0 else { return pollInterval }
        return pollInterval * Double.random(in: (1 - pollJitter)...(1 + pollJitter))
    }
}
