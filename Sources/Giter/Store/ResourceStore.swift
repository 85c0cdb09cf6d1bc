/// A typed view of the resources of one kind on one branch of an exchange
/// repository.
///
/// Reads (``get(_:)``, ``list(_:)``, ``changes(since:)``) answer from the
/// view as of the last ``refresh()``; ``write(_:)`` brings the view up to
/// date, turns a batch into one commit and pushes it, retrying on a lost
/// race by re-applying only the writer's own section onto the new tip.
/// (Over a network remote ``GitResourceStore`` first tries the view it has,
/// sparing a connection: the push's compare-and-swap refuses a view that is
/// behind, and the write then refreshes and plans again.)
///
/// Two implementations ship: ``GitResourceStore`` over any ``Transport``
/// (for tests, over the `GiterTesting` product's in-memory remote), and
/// ``BranchSetStore`` over the exchange branches of several groups.
public protocol ResourceStore<Resource>: Sendable {
    /// The resource type the store reads and writes.
    associatedtype Resource: ExchangedResource

    /// The API version and kind of the resources in view.
    var resourceType: ResourceType { get }

    /// Who writes, and in which role.
    var identity: ExchangeIdentity { get }

    /// Whether the remote has moved since the view was last refreshed:
    /// a cheap check that downloads nothing.
    func remoteMoved() async throws -> Bool

    /// Brings the view up to date with the remote, checking every new
    /// commit against the roles (see ``ContractViolation``), and returns
    /// the revision now in view (`nil` for an empty repository).
    @discardableResult
    func refresh() async throws -> StoreRevision?

    /// The revision in view, `nil` before the first refresh or for an empty repository.
    func revision() async -> StoreRevision?

    /// The live resource with this key, or `nil`.
    ///
    /// - Throws: ``StoreError`` when its file cannot be read as this resource type.
    func get(_ key: ResourceKey) async throws -> StoredResource<Resource>?

    /// The resources that match, sorted by key. Files that cannot be read
    /// are left out and reported as ``StoreEvent/invalidResource(_:)``.
    func list(_ query: ResourceQuery) async throws -> [StoredResource<Resource>]

    /// What changed between `revision` (`nil`: the empty repository) and
    /// the revision in view. Costs what changed, not what exists.
    func changes(since revision: StoreRevision?) async throws -> ResourceChanges<Resource>

    /// One part of ``changes(since:)``: the changes of at most `limit`
    /// keys, the first ones in key order after `key` (`nil`: from the
    /// first). When more follow, ``ResourceChanges/partEnd`` is the last
    /// key the part covers: pass it as `key` for the next part. A
    /// ``Controller`` reads a large sync in parts
    /// (``ControllerOptions/syncPartSize``), so that it never holds every
    /// changed resource decoded at once.
    ///
    /// Every part describes the revision its first part does (their
    /// ``ResourceChanges/revision``), even if the view moves between two
    /// parts: together they are ``changes(since:)`` as of that revision. A
    /// ``Controller`` fails a sync whose parts do not, and reads it again.
    ///
    /// The default reads ``changes(since:)`` whole and returns, as one
    /// part, every change after `key` (`limit` aside): a store that cannot
    /// read a part for less than the whole (``BranchSetStore``) costs what
    /// it did, and a caller reading parts simply gets one.
    func changes(since revision: StoreRevision?, after key: ResourceKey?, limit: Int) async throws
        -> ResourceChanges<Resource>

    /// Applies the batch as one commit and pushes it.
    ///
    /// Writes that do not belong to the store's role are refused; writes
    /// that change nothing make no commit. A lost push race or a refused
    /// push is retried with jittered exponential backoff up to the store's
    /// bound; what could not be written comes back as
    /// ``WriteOutcome/notApplied(_:)``, never silently dropped.
    ///
    /// One write's own failure fails only that write: a status into a file
    /// that cannot be read (or a symbolic link or gitlink), the archive of
    /// a link, or a value that cannot be encoded, is
    /// ``WriteOutcome/failed(_:)`` with the file, line and column, and the
    /// other writes are committed. The producer's apply, archive and delete
    /// work on its own unreadable file (see `Documentation/Reliability.md`,
    /// "Broken files and bad input"). Errors that are not one write's own
    /// (the transport's, a branch that stays locked) are thrown, and a push
    /// that keeps losing is ``WriteOutcome/notApplied(_:)`` for every write:
    /// a caller retries those for the whole batch.
    func write(_ writes: [ResourceWrite<Resource>]) async throws -> WriteResult

    /// The remote's repository when it is a folder on this machine (see
    /// ``Transport/localRemote``): a ``Controller`` and a ``Producer``'s
    /// waits watch it with a ``RefWatcher`` unless told not to. `nil` by
    /// default.
    var localRemote: LocalRemote? { get }
}

extension ResourceStore {
    /// `nil`: nothing to watch; waiters poll.
    public var localRemote: LocalRemote? { nil }

    /// Applies one write; see ``write(_:)``.
    public func write(_ write: ResourceWrite<Resource>) async throws -> WriteOutcome {
        try await self.write([write]).outcomes[0]
    }

    /// Reads ``changes(since:)`` whole and returns every change after `key` as one part.
    public func changes(since revision: StoreRevision?, after key: ResourceKey?, limit: Int) async throws
        -> ResourceChanges<Resource>
    {
        let changes = try await changes(since: revision)
        return key == nil ? changes : changes.part(after: key, limit: .max)
    }
}

/// What changed between two revisions of a store.
public struct ResourceChanges<Resource: ExchangedResource>: Sendable {
    /// The revision the changes lead to.
    public var revision: StoreRevision?
    /// Live resources created or changed, sorted by key.
    public var updated: [StoredResource<Resource>]
    /// Live resources that disappeared (deleted or archived), sorted.
    public var removed: [ResourceKey]

    /// Live resources created or changed whose file is valid YAML but not
    /// a valid resource of the store's type, sorted by key.
    public var invalid: [InvalidResource]

    /// Live resources created or changed whose file cannot be read at all:
    /// not YAML, not one mapping, over the size limit, or not a regular
    /// file (a symbolic link, a gitlink). A consumer never writes into such
    /// a file; it reports it. Sorted by key.
    public var unreadable: [UnreadableResource]

    /// `nil` when these are all the changes asked for; in a part
    /// (``ResourceStore/changes(since:after:limit:)``) that more parts
    /// follow, the last key it covers: the next part starts after it.
    public var partEnd: ResourceKey?

    /// Changes from their parts.
    public init(
        revision: StoreRevision?, updated: [StoredResource<Resource>], removed: [ResourceKey],
        invalid: [InvalidResource] = [], unreadable: [UnreadableResource] = [], partEnd: ResourceKey? = nil
    ) {
        self.revision = revision
        self.updated = updated
        self.removed = removed
        self.invalid = invalid
        self.unreadable = unreadable
        self.partEnd = partEnd
    }

    /// Whether nothing changed.
    public var isEmpty: Bool { updated.isEmpty && removed.isEmpty && invalid.isEmpty && unreadable.isEmpty }

    /// The changes of the first `limit` keys after `start` (`nil`: from
    /// the first), with ``partEnd`` set when keys are left over: a part cut
    /// from whole changes, for a store of one's own.
    public func part(after start: ResourceKey?, limit: Int) -> ResourceChanges {
        var keys = Set(updated.map(\.key))
        keys.formUnion(removed)
        keys.formUnion(invalid.map(\.key))
        keys.formUnion(unreadable.map(\.key))
        let follows = { (key: ResourceKey) in start.map { key > $0 } ?? true }
        let sorted = keys.filter(follows).sorted()
        let taken = sorted.prefix(max(1, limit))
        guard let last = taken.last else { return ResourceChanges(revision: revision, updated: [], removed: []) }
        let covers = { (key: ResourceKey) in follows(key) && key <= last }
        return ResourceChanges(
            revision: revision, updated: updated.filter { covers($0.key) }, removed: removed.filter(covers),
            invalid: invalid.filter { covers($0.key) }, unreadable: unreadable.filter { covers($0.key) },
            partEnd: taken.count < sorted.count ? last : nil)
    }
}

/// A live resource whose file cannot be read at all (see
/// ``ResourceChanges/unreadable``). Only its producer can mend it, by
/// replacing or deleting the file; a consumer must not write into it.
public struct UnreadableResource: Sendable, Hashable {
    /// The resource's key, from its path.
    public var key: ResourceKey
    /// Which version of the file this is: its blob id in hexadecimal. A new
    /// version of the file has another.
    public var version: String
    /// What is wrong, with the file and, when the text does not parse, the
    /// line and column; the message says what to do.
    public var error: StoreError

    /// An unreadable resource from its parts.
    public init(key: ResourceKey, version: String, error: StoreError) {
        self.key = key
        self.version = version
        self.error = error
    }
}

/// A live resource whose file reads as YAML but not as the store's
/// resource type (a wrong field type, a missing `spec`…). A consumer can
/// still write its status, to tell the producer what is wrong.
public struct InvalidResource: Sendable, Hashable {
    /// The resource's key, from its path.
    public var key: ResourceKey
    /// `metadata.generation` as far as it could be read; 0 otherwise.
    public var generation: Int64
    /// The digest of its spec content (see ``StoredResource/specDigest``).
    public var specDigest: String
    /// Whether the file's status already describes this spec (its
    /// `observedSpecDigest` matches).
    public var isStatusCurrent: Bool
    /// What is wrong, with the file, line and column.
    public var error: StoreError

    /// An invalid resource from its parts.
    public init(key: ResourceKey, generation: Int64, specDigest: String, isStatusCurrent: Bool, error: StoreError) {
        self.key = key
        self.generation = generation
        self.specDigest = specDigest
        self.isStatusCurrent = isStatusCurrent
        self.error = error
    }
}

/// Something a store noticed that a host app may want to act on.
public enum StoreEvent: Sendable, Hashable {
    /// A commit the contract does not allow (see ``ContractViolation``):
    /// its changes are ignored, for good, and readers keep serving the
    /// files as they stood (see ``ExchangeLedger``).
    case contractViolation(ContractViolation)
    /// The branch moved to a history the store refuses (rewritten, deleted,
    /// or not descending from the trusted anchor); the store keeps serving
    /// the state it had.
    case historyRefused(String)
    /// A resource file could not be read (its path and the error).
    case invalidResource(StoreError)
    /// A push lost a race or was refused and will be retried.
    case pushRetried(attempt: Int, reason: String)
}
