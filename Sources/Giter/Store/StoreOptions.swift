public import Logging

/// How a ``GitResourceStore`` writes and checks.
public struct StoreOptions: Sendable {
    /// Which history a store checks against the roles the first time it reads.
    public enum HistoryCheck: Sendable, Hashable {
        /// Every commit of the branch, from the first (the default; one diff
        /// per commit). The store saves how far it checked in its mirror,
        /// through its transport (the local value `checkpoints/<Kind>/<branch>`,
        /// see ``Transport/storeLocalValue(_:named:)``), so the next process
        /// on the same mirror checks only the commits that arrived since.
        case fullHistory
        /// Only commits that arrive after the first refresh; what the branch
        /// held then is trusted.
        case newCommitsOnly
    }

    /// Who writes, in which role.
    public var identity: ExchangeIdentity
    /// Which identities hold which role, for checking what others wrote.
    public var roles: RoleAssignments
    /// Retries of a push that lost a race or was refused.
    public var retry: RetryPolicy
    /// Which history to check on the first refresh.
    public var historyCheck: HistoryCheck
    /// The commit the history must descend from, whose contract is trusted
    /// as it stands (the exchange's trust anchor). `nil`: the anchor saved
    /// in the mirror's check point, else the branch's first commit, which
    /// is then saved. A history that does not descend from the anchor is
    /// refused (``StoreError/Code/historyRefused``).
    public var trustRoot: ObjectID?
    /// Signs every commit the store writes; `nil`: unsigned commits. Needed
    /// when the policy requires signatures (``ExchangePolicy/requireSignatures``):
    /// the store then checks its own commit's signature before pushing, and
    /// reports a write refused when the key is not one the policy lists for
    /// its identity. See ``SSHSigning/signer(keyFile:environment:)``,
    /// ``SSHKeySigner``, ``SSHAgentSigner`` and ``GPGSigner``.
    public var signer: (any CommitSigner)?
    /// Where the store logs; it never bootstraps logging.
    public var logger: Logger
    /// Called for each ``StoreEvent``, on the store's executor: keep it short.
    public var eventHandler: (@Sendable (StoreEvent) -> Void)?
    /// The most parsed files kept in memory, keyed by blob id; when full,
    /// the cache starts over. Raise it to the number of resources in view
    /// to decode every file once per process.
    public var cacheLimit: Int
    /// The largest resource file the store reads, in bytes; a larger file
    /// is reported as ``StoreError/Code/invalidDocument`` for that resource
    /// only, and never parsed. Default 4 MiB (a Kubernetes object is at most
    /// about 1.5 MiB). Also the input limit of the YAML reader
    /// (`ParseLimits.maxInputBytes`) for resource files.
    public var maxFileBytes: Int
    /// With a fence — a ``LeaderElection`` or a ``ShardCoordinator`` —
    /// every commit carries the generation of each lease its writes are
    /// made under as a fencing token (a `Giter-Lease` trailer, see
    /// ``FencingToken``), and a write whose lease this replica does not
    /// hold is not applied (``WriteOutcome/notApplied(_:)``). `nil` (the
    /// default): no token. See `Documentation/HighAvailability.md`.
    public var fencing: (any WriteFence)? = nil
    /// The private keys that open `x-giter-encrypted` fields. With a
    /// keyring, the value of every field the definition in force marks is
    /// opened before decoding and checked against the definition (a
    /// reconciler sees plaintext; a value that does not open, or that the
    /// definition refuses, makes its resource unreadable,
    /// ``StoreError/Code/encryptedField``),
    /// and a producer keeps the envelope of a value it applies unchanged
    /// (no new generation). `nil` (the default): values stay sealed, as
    /// envelopes; the store still lists, routes, writes status and archives.
    /// See `Documentation/Encryption.md`.
    public var fieldKeys: FieldKeyring? = nil

    /// The part of the exchange the store reads and checks (see
    /// ``ReadScope``). ``ReadScope/everything`` (the default): every commit
    /// is judged whole. A narrower scope lets the store run on a partial
    /// mirror (``RemoteConfiguration/blobFetch``) that downloads only the
    /// files in it; the store then lists, reads and writes only the
    /// resources in scope (another is ``StoreError/Code/outOfScope``). See
    /// `Documentation/PartialFetch.md` for what such a store can and cannot
    /// prove.
    public var scope: ReadScope = .everything

    /// Options for a writer with the given identity.
    public init(
        identity: ExchangeIdentity,
        roles: RoleAssignments = .open,
        retry: RetryPolicy = .default,
        historyCheck: HistoryCheck = .fullHistory,
        trustRoot: ObjectID? = nil,
        signer: (any CommitSigner)? = nil,
        logger: Logger = Logger(label: "giter.store"),
        eventHandler: (@Sendable (StoreEvent) -> Void)? = nil,
        cacheLimit: Int = 10_000,
        maxFileBytes: Int = 4 << 20
    ) {
        self.identity = identity
        self.roles = roles
        self.retry = retry
        self.historyCheck = historyCheck
        self.trustRoot = trustRoot
        self.signer = signer
        self.logger = logger
        self.eventHandler = eventHandler
        self.cacheLimit = cacheLimit
        self.maxFileBytes = max(1, maxFileBytes)
    }
}
