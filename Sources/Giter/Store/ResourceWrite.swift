/// One change in a batch given to ``ResourceStore/write(_:)``.
public enum ResourceWrite<Resource: ExchangedResource>: Sendable {
    /// Producer: create the resource or update its spec, labels and
    /// annotations. The store keeps `uid`, `creationTimestamp` and the
    /// consumer's status, and bumps `metadata.generation` when the spec
    /// changed. The resource's own `status` and `generation` are ignored.
    case apply(Resource)
    /// Producer: ``apply(_:)`` that stores `text`, the author's YAML
    /// document of `resource` (UTF-8), as the resource's file: its comments,
    /// key order and quoting kept, with the fields the store maintains
    /// (`metadata.namespace`, `generation`, `uid` and `creationTimestamp`)
    /// spliced into its `metadata`, the consumer's status kept (an author's
    /// own `status` is dropped), and the spec replaced only when the
    /// definition's defaults change it.
    ///
    /// `text` must read as `resource`. Text that cannot be spliced — its
    /// root is not a block mapping starting in column 1 (JSON, or a flow
    /// mapping such as `{apiVersion: …}`) — is written as ``apply(_:)``
    /// writes, as block YAML. A change of comments or layout alone, with
    /// the same spec, labels and annotations, is no change: nothing is
    /// written. A file that cannot be read is replaced as ``apply(_:)``
    /// replaces it.
    case applyText(Resource, text: [UInt8])
    /// Consumer: replace the status of a live resource, as reconciled from
    /// the spec whose digest is given (``StoredResource/specDigest``). Only
    /// the `status` key of the file changes; the producer's bytes stay.
    case status(ResourceKey, Resource.Status, specDigest: String)
    /// Producer: move a live resource under `archive/`.
    case archive(ResourceKey)
    /// Producer: delete a resource, live or else archived.
    case delete(ResourceKey)

    /// The resource this write is about.
    public var key: ResourceKey {
        switch self {
        case .apply(let resource), .applyText(let resource, _):
            ResourceKey(
                namespace: resource.metadata.effectiveNamespace, kind: resource.kind, name: resource.metadata.name)
        case .status(let key, _, _), .archive(let key), .delete(let key): key
        }
    }

    /// The role that may make this write.
    public var role: ExchangeRole {
        switch self {
        case .apply, .applyText, .archive, .delete: .producer
        case .status: .consumer
        }
    }
}

/// What became of one ``ResourceWrite``.
public enum WriteOutcome: Sendable, Hashable, CustomStringConvertible {
    /// The resource did not exist and now does, at generation 1.
    case created(generation: Int64)
    /// The spec, labels or annotations changed; `generation` is the new one.
    case configured(generation: Int64)
    /// Nothing differed from what the repository holds; no commit needed.
    case unchanged
    /// The status was written.
    case statusWritten
    /// The resource moved under `archive/`.
    case archived
    /// The resource was deleted.
    case deleted
    /// There is no such resource (for status, archive and delete).
    case notFound
    /// Status only: the resource was deleted or archived meanwhile. The
    /// status was not written, so the resource is not brought back.
    case gone
    /// Status only: the spec changed after it was reconciled (its digest
    /// differs), so the status would describe a spec that no longer
    /// exists. Nothing was written; reconcile again.
    case stale(generation: Int64)
    /// The write is not this store's role's to make, or is invalid.
    case refused(String)
    /// The batch could not be pushed: the remote kept moving or refusing
    /// (the server's message) until the retry bound. Nothing was written.
    case notApplied(String)
    /// This write alone could not be made, and making it again will not
    /// help until the file or the value changes; the other writes of the
    /// batch went through as their own outcomes say.
    ///
    /// The error says why, with the file and the place in it:
    /// - ``StoreError/Code/invalidDocument``: the resource's file cannot be
    ///   read (it does not parse, its root is not a mapping, it is over
    ///   ``StoreOptions/maxFileBytes``, or, for a status, its layout cannot
    ///   be split) — a consumer never writes into such a file (the
    ///   contract's `unreadable` rule); the producer replaces or deletes it
    ///   (``ResourceWrite/apply(_:)``, ``ResourceWrite/archive(_:)`` and
    ///   ``ResourceWrite/delete(_:)`` work on it). Also an apply past the
    ///   largest generation there is (`Int64.max`). ``StoreError/path`` and
    ///   ``StoreError/location`` name the file, line and column.
    /// - ``StoreError/Code/invalidEntry``: a symbolic link or gitlink stands
    ///   where the resource's file should be. A status is never written into
    ///   it, and it is never archived (it would become a regular file
    ///   holding the link's text); the producer's apply replaces it and
    ///   delete removes it.
    /// - ``StoreError/Code/encoding``: the value given cannot be encoded.
    ///
    /// ``StoreError/isFileError`` tells the first two, the file's own
    /// errors, from the third.
    case failed(StoreError)

    /// Whether the repository now holds what the write asked for.
    public var isSuccess: Bool {
        switch self {
        case .created, .configured, .unchanged, .statusWritten, .archived, .deleted: true
        case .notFound, .gone, .stale, .refused, .notApplied, .failed: false
        }
    }

    public var description: String {
        switch self {
        case .created(let generation): "created (generation \(generation))"
        case .configured(let generation): "configured (generation \(generation))"
        case .unchanged: "unchanged"
        case .statusWritten: "status written"
        case .archived: "archived"
        case .deleted: "deleted"
        case .notFound: "not found"
        case .gone: "gone: deleted or archived meanwhile"
        case .stale(let generation): "stale: the spec changed (now generation \(generation))"
        case .refused(let reason): "refused: \(reason)"
        case .notApplied(let reason): "not applied: \(reason)"
        case .failed(let error): "failed: \(error)"
        }
    }
}

/// What a ``ResourceStore/write(_:)`` did.
public struct WriteResult: Sendable, Hashable {
    /// One outcome per write, in the order given.
    public var outcomes: [WriteOutcome]
    /// The commit that holds the writes, or `nil` when nothing needed one.
    public var revision: StoreRevision?
    /// How many times the batch was pushed (0 when nothing needed a commit).
    public var attempts: Int

    /// A result from its parts.
    public init(outcomes: [WriteOutcome], revision: StoreRevision?, attempts: Int) {
        self.outcomes = outcomes
        self.revision = revision
        self.attempts = attempts
    }
}
