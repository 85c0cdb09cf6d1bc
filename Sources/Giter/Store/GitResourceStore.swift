import Logging
import Metrics

/// A ``ResourceStore`` over a ``Transport``: the resources of one kind on
/// one branch of an exchange repository.
///
/// ```swift
/// let transport = try await LibGit2Transport(configuration: remote)
/// let store = GitResourceStore<Experiment>(
///     transport: transport,
///     resourceType: ResourceType(apiVersion: "giter.example/v1", kind: "Experiment"),
///     options: StoreOptions(identity: ExchangeIdentity(name: "Lab", email: "lab@example.com", role: .producer)))
/// try await store.refresh()
/// ```
///
/// The store keeps an index of the kind's files (path → blob id), updated
/// from the Transport's diff, and caches parsed files by blob id, so a file
/// that did not change is never read or decoded twice. Every commit that
/// arrives is checked against ``StoreOptions/roles``; see
/// ``ContractViolation`` and ``ExchangeLedger``. Writes and refreshes are serialized; reads run
/// alongside.
public actor GitResourceStore<Resource: ExchangedResource>: ResourceStore {
    public nonisolated let resourceType: ResourceType
    public nonisolated let identity: ExchangeIdentity
    let transport: any Transport
    let options: StoreOptions
    var logger: Logger { options.logger }

    /// The commit in view; `nil` before the first refresh or for an empty branch.
    var tip: ObjectID?
    /// Whether the view was ever refreshed.
    var loaded = false
    /// Live and archived files of the kind: key → blob id (inline: one
    /// entry for every file in view, see ``InlineObjectID``).
    var live: [ResourceKey: InlineObjectID] = [:]
    var archived: [ResourceKey: InlineObjectID] = [:]
    /// Whether ``live``, ``archived`` and ``irregular`` are still to be built
    /// for the tip (``ensureIndex()``): the first refresh leaves them to the
    /// first read that needs them, so a ``get(_:)`` reads one file by path.
    var indexPending = false
    /// The index of the kind's files last built or read from the mirror
    /// (see ``ReadIndex``), with the labels known. Held in memory only by a
    /// store that lists (``keepsReadIndex``): one that only follows changes
    /// and gets (a controller) lets it go once the view is built from it.
    var readIndex: ReadIndex?
    /// Whether ``readIndex`` is kept once the view is built: set by the first ``list(_:)``.
    var keepsReadIndex = false
    /// Whether the view was built from a ``readIndex`` that was then let go;
    /// the first ``list(_:)`` reads it again from the mirror.
    var readIndexLetGo = false
    /// Paths of the kind's files in force whose tree entry is not a regular
    /// file (a symbolic link, a gitlink): never read, reported instead.
    var irregular: [String: FileMode] = [:]
    /// How far the history is checked, and the files in force where they
    /// differ from the tip's tree (see ``ExchangeLedger``).
    var ledger: ExchangeLedger?
    var ledgerState: ExchangeLedger.State? { ledger?.state }
    /// The commit the history must descend from.
    var anchor: ObjectID?
    /// Commits judged since this store last saved its check point; `nil`
    /// until it saved one (see ``saveCheckPointIfDue(judged:)``).
    var judgedSinceCheckPoint: Int?
    /// Parsed files (shared with the ledger's checks) and decoded resources, by blob id.
    let documents: DocumentCache
    var decoded: [ObjectID: StoredResource<Resource>] = [:]
    /// The last range the view advanced over, and its diff, for ``changes(since:)``.
    var lastDiff: (from: ObjectID?, to: ObjectID, changes: [PathChange])?
    /// A range of changes being read in parts (``changes(since:after:limit:)``),
    /// until its last part is read.
    var partedRange: PartedRange?
    /// Files read from the transport by the parts of ``partedRange`` read
    /// so far: the caches are given back after its last part.
    var unreadInParts = 0
    /// The trace context of each live resource, from the last commit that
    /// carried one for it (see `GitResourceStore+Tracing.swift`); kept only
    /// while a tracer records.
    var traceContexts: [ResourceKey: ResourceTraceContext] = [:]
    /// Serializes refreshes and writes.
    let gate = SerialGate()
    /// Held by a write from start to end, backoffs included, so writes go
    /// through in the order they arrived while ``gate`` is let go during a
    /// write's backoff for refreshes.
    nonisolated let writeGate = SerialGate()

    let conflicts: Counter
    let violations: Counter
    let historyRefusals: Counter

    /// Checks each move of the branch before the store judges its commits
    /// (see ``ExchangeBranches/store(for:resourceType:options:)``): the
    /// tip in view (`nil` at the first view), the new tip, and the store's
    /// transport to read them. Throws to refuse the move; at a first view,
    /// returns the base it verified, from which the store judges the
    /// branch's commits when it does not check the whole history.
    typealias BranchCheck = @Sendable (_ old: ObjectID?, _ new: ObjectID, _ reader: any RepositoryReader) async throws
        -> ObjectID?
    let branchCheck: BranchCheck?

    /// The transport's ``Transport/localRemote``.
    public nonisolated var localRemote: LocalRemote? { transport.localRemote }

    /// A store over `transport` for one resource type.
    public init(transport: any Transport, resourceType: ResourceType, options: StoreOptions) {
        self.init(transport: transport, resourceType: resourceType, options: options, branchCheck: nil)
    }

    /// A store over `group`'s exchange branch, through `transport` (the
    /// branch's), that holds the branch to the exchange-branch rule at every
    /// move before it judges a commit; see
    /// ``ExchangeBranches/store(for:resourceType:options:)``, which opens
    /// the transport too.
    public init(
        transport: any Transport, exchangeBranch group: ExchangeGroup, of branches: ExchangeBranches,
        resourceType: ResourceType, options: StoreOptions
    ) {
        self.init(
            transport: transport, resourceType: resourceType, options: options,
            branchCheck: { old, new, reader in try await branches.checkMove(of: group, from: old, to: new, reader: reader) }
        )
    }

    /// A store whose every move of the branch `branchCheck` passes first.
    init(transport: any Transport, resourceType: ResourceType, options: StoreOptions, branchCheck: BranchCheck?) {
        self.branchCheck = branchCheck
        self.transport = transport
        self.resourceType = resourceType
        self.identity = options.identity
        self.options = options
        self.documents = DocumentCache(limit: options.cacheLimit)
        let dimensions = [("kind", resourceType.kind)]
        conflicts = Counter(label: "giter_push_retries_total", dimensions: dimensions)
        violations = Counter(label: "giter_contract_violations_total", dimensions: dimensions)
        historyRefusals = Counter(label: "giter_history_refusals_total", dimensions: dimensions)
    }

    // MARK: Reads

    public func revision() -> StoreRevision? {
        tip.map { StoreRevision($0.hex) }
    }

    /// The live resource with this key: its one file read by path at the
    /// verified tip, whatever the number of resources.
    public func get(_ key: ResourceKey) async throws -> StoredResource<Resource>? {
        try checkScope(key)
        if indexPending, let tip { return try await getByPath(key, at: tip) }
        guard let id = live[key]?.objectID else { return nil }
        return try await stored(key: key, blob: id, archived: false)
    }

    /// The resources that match, sorted by key. With a label selector, a
    /// file whose labels the mirror's ``ReadIndex`` knows and that do not
    /// match is not read; every other file of the namespace is read (and
    /// its labels learnt for the next selection).
    public func list(_ query: ResourceQuery) async throws -> [StoredResource<Resource>] {
        keepsReadIndex = true
        try await ensureIndex()
        await reloadReadIndex()
        let index = query.archived ? archived : live
        let selecting = !query.labelSelector.requirements.isEmpty
        var learnt = false
        var result: [StoredResource<Resource>] = []
        var reading: [(key: ResourceKey, id: ObjectID, path: String)] = []
        for (key, inlineID) in index.sorted(by: { $0.key < $1.key }) {
            if let namespace = query.namespace, key.namespace != namespace { continue }
            guard options.scope.contains(key) else { continue }
            let path = query.archived ? key.archivePath : key.repositoryPath
            let id = inlineID.objectID
            if selecting, let labels = indexedLabels(at: path, blob: id), !query.labelSelector.matches(labels) {
                continue
            }
            reading.append((key, id, path))
        }
        let unread = try await fetchMissing(reading.map(\.id))
        for (key, id, path) in reading {
            do {
                let resource = try await stored(key: key, blob: id, archived: query.archived)
                if let resource, query.matches(key, labels: resource.resource.metadata.labels) {
                    result.append(resource)
                }
                if let resource, learnLabels(resource.resource.metadata.labels ?? [:], at: path, blob: id) {
                    learnt = true
                }
            } catch let error as StoreError {
                report(.invalidResource(error))
            }
        }
        if learnt, let readIndex, readIndex.commit == tip { await save(readIndex) }
        await releaseCachesAfterReading(unread)
        return result
    }

    public func changes(since revision: StoreRevision?) async throws -> ResourceChanges<Resource> {
        try await changes(since: revision, after: nil, limit: .max)
    }

    /// One part of ``changes(since:)``. The first part lists the range's
    /// changed keys with the blob each has in the view then, and keeps them
    /// until the last part is read: every part reads and decodes only its
    /// own files, as of the first part's revision, even if the view moves
    /// meanwhile (the store's own writes move it).
    public func changes(since revision: StoreRevision?, after start: ResourceKey?, limit: Int) async throws
        -> ResourceChanges<Resource>
    {
        try await ensureIndex()
        var old: ObjectID?
        if let revision {
            guard let id = ObjectID(hex: revision.rawValue) else {
                throw StoreError(.unknownRevision, "'\(revision)' is not a commit id")
            }
            old = id
        }
        let range: PartedRange
        let held: Bool
        if let start, let parted = partedRange, parted.from == old, parted.after == start {
            range = parted
            held = true
        } else {
            // A new range (or a part of one this store no longer holds: read as of the view now).
            held = false
            let current = self.revision()
            guard revision != current else { return ResourceChanges(revision: current, updated: [], removed: []) }
            guard let tip else {
                // The branch is empty now: everything went away.
                let removed = try await previousKeys(at: old).sorted()
                return ResourceChanges(revision: nil, updated: [], removed: removed).part(after: start, limit: limit)
            }
            let keys = try await changedKeys(from: old, to: tip)
            range = PartedRange(from: old, revision: current, after: nil, files: keys.map { ($0, live[$0]?.objectID) })
        }
        let files = range.files
        let first = start.map { start in files.partitioningIndex(where: { $0.key > start }) } ?? files.startIndex
        let end = first + min(files.count - first, max(1, limit))
        let partEnd = end < files.endIndex ? files[end - 1].key : nil
        if let partEnd {
            partedRange = PartedRange(from: old, revision: range.revision, after: partEnd, files: files)
        } else if held {
            partedRange = nil
        }

        var updated: [StoredResource<Resource>] = []
        var removed: [ResourceKey] = []
        var invalid: [InvalidResource] = []
        var unreadable: [UnreadableResource] = []
        let part = files[first..<end]
        var unread = try await fetchMissing(part.compactMap(\.blob))
        if held || partEnd != nil {
            // The caches are given back once a range's last part is read, not after every part.
            unreadInParts = (held ? unreadInParts : 0) + unread
            unread = partEnd == nil ? unreadInParts : 0
        }
        for (key, blob) in part {
            guard let id = blob else {
                removed.append(key)
                continue
            }
            do {
                if let resource = try await stored(key: key, blob: id, archived: false) {
                    updated.append(resource)
                } else {
                    removed.append(key)
                }
            } catch let error as StoreError {
                report(.invalidResource(error))
                if let entry = await invalidResource(key, blob: id, error: error) {
                    invalid.append(entry)
                } else {
                    unreadable.append(UnreadableResource(key: key, version: id.hex, error: error))
                }
            }
        }
        await releaseCachesAfterReading(unread)
        return ResourceChanges(
            revision: range.revision, updated: updated, removed: removed, invalid: invalid, unreadable: unreadable,
            partEnd: partEnd)
    }

    /// The keys of the kind, in the store's scope, whose files changed
    /// from `old` to `new` (the tip), sorted.
    private func changedKeys(from old: ObjectID?, to new: ObjectID) async throws -> [ResourceKey] {
        let paths: [PathChange]
        if let lastDiff, lastDiff.from == old, lastDiff.to == new {
            paths = lastDiff.changes
        } else {
            paths = try await transport.changes(from: old, to: new, under: ResourceKey.resourcesFolder)
        }
        return paths.compactMap { change in
            guard let key = ResourceKey(repositoryPath: change.path), key.kind == resourceType.kind,
                options.scope.contains(key)
            else { return nil }
            return key
        }.sorted()
    }

    /// How many files a store reads from its transport at once (a list, or
    /// the changes since a revision; files its own caches hold do not
    /// count) before it asks the transport to give back the memory that
    /// read left in the backend's caches (``Transport/releaseCaches()``):
    /// after the first sync of a consumer of 100,000 resources, libgit2
    /// holds about 40 MB for reads that do not come again soon.
    public static var largeRead: Int { 1_000 }

    /// After `count` files were read from the transport: asks it to give back its
    /// caches when that is ``largeRead`` or more. A failure costs only
    /// memory, so it is logged, not thrown.
    private func releaseCachesAfterReading(_ count: Int) async {
        guard count >= Self.largeRead else { return }
        do {
            try await transport.releaseCaches()
        } catch {
            logger.debug("could not release the transport's caches: \(error)")
        }
    }

    private func previousKeys(at commit: ObjectID?) async throws -> [ResourceKey] {
        guard let commit else { return [] }
        return try await transport.treeEntries(at: commit, under: ResourceKey.resourcesFolder).compactMap { entry in
            ResourceKey(repositoryPath: entry.path).flatMap {
                $0.kind == resourceType.kind && options.scope.contains($0) ? $0 : nil
            }
        }
    }

    /// What a consumer needs to report on a file that is YAML but not a
    /// resource of this type; `nil` when it is not even YAML.
    private func invalidResource(_ key: ResourceKey, blob id: ObjectID, error: StoreError) async -> InvalidResource? {
        guard let document = try? await document(id, path: key.repositoryPath) else { return nil }
        let mapping = document.root
        let digest = ResourceDocument.specDigest(of: mapping)
        return InvalidResource(
            key: key, generation: ResourceDocument.generation(in: mapping), specDigest: digest,
            isStatusCurrent: ResourceDocument.observedSpecDigest(in: mapping) == digest, error: error)
    }

    // MARK: Files

    /// Throws ``StoreError/Code/outOfScope`` for a resource outside ``StoreOptions/scope``.
    func checkScope(_ key: ResourceKey) throws(StoreError) {
        guard !options.scope.contains(key) else { return }
        throw StoreError(
            .outOfScope, path: key.repositoryPath,
            "\(key) is outside this store's scope (\(options.scope)): it neither reads nor writes it; "
                + "use a store whose scope holds it")
    }

    /// Downloads, in one request, the blobs of `ids` a partial mirror lacks
    /// and this process has not parsed (see ``RepositoryReader/fetchMissingBlobs(_:)``).
    /// How many of `ids` the store will read from its transport (none of
    /// its caches holds them).
    @discardableResult
    func fetchMissing(_ ids: [ObjectID]) async throws -> Int {
        let wanted = ids.filter { decoded[$0] == nil && documents[$0] == nil }
        guard !wanted.isEmpty else { return 0 }
        try await transport.fetchMissingBlobs(wanted)
        return wanted.count
    }

    /// The parsed file with blob `id`, from the cache or the Transport.
    ///
    /// - Throws: ``StoreError``: ``StoreError/Code/invalidEntry`` when the
    ///   entry at `path` is not a regular file (it is never read), and
    ///   ``StoreError/Code/invalidDocument`` when the file is over
    ///   ``StoreOptions/maxFileBytes`` or does not read as one YAML mapping.
    func document(_ id: ObjectID, path: String) async throws -> ResourceDocument {
        switch try await file(id, path: path) {
        case .readable(let document): return document
        case .unreadable(_, let error), .link(_, let error): throw error
        }
    }

    /// The file with blob `id` at `path` as the store reads it: parsed, or
    /// its bytes and why it does not read, or the mode of an entry that is
    /// not a regular file (never read). The blob is read once.
    func file(_ id: ObjectID, path: String) async throws -> LiveFile {
        if let mode = irregular[path] { return .link(mode, StoreError.irregularEntry(path, mode: mode)) }
        let limit = options.maxFileBytes
        if let cached = documents[id] {
            // The contract's check parses with the codec's own, higher limit: hold this store's.
            guard cached.bytes.count <= limit else {
                let error = StoreError.tooLarge(path, size: cached.bytes.count, limit: limit)
                return .unreadable(bytes: cached.bytes, error)
            }
            return .readable(cached)
        }
        let bytes = try await transport.blob(id)
        guard bytes.count <= limit else {
            return .unreadable(bytes: bytes, StoreError.tooLarge(path, size: bytes.count, limit: limit))
        }
        do {
            let document = try ResourceDocument(bytes: bytes, path: path, limits: parseLimits)
            documents.insert(document, for: id)
            return .readable(document)
        } catch {
            return .unreadable(bytes: bytes, error)
        }
    }

    /// The codec's limits with this store's ``StoreOptions/maxFileBytes``:
    /// every parse of a resource file by the store holds them.
    var parseLimits: ParseLimits { ParseLimits(maxInputBytes: options.maxFileBytes) }

    /// The resource in blob `id`; `nil` when the file holds nothing
    /// (never, today: kept for callers that treat a missing resource alike).
    func stored(key: ResourceKey, blob id: ObjectID, archived: Bool) async throws -> StoredResource<Resource>? {
        let path = archived ? key.archivePath : key.repositoryPath
        // Before the cache: a link's target text may be the bytes of a file decoded before.
        if let mode = irregular[path] { throw StoreError.irregularEntry(path, mode: mode) }
        if let cached = decoded[id], cached.isArchived == archived { return cached }
        let document = try await document(id, path: path)
        var mapping = document.root
        if let keyring = options.fieldKeys {
            mapping = try await openingFields(of: mapping, key: key, path: path, keyring: keyring)
        }
        let resource: Resource
        do {
            resource = try DocumentDecoder().decode(Resource.self, from: .mapping(mapping))
        } catch {
            throw StoreError.invalidDocument(path, error, in: .mapping(mapping))
        }
        guard resource.kind == key.kind, resource.metadata.name == key.name,
            resource.metadata.effectiveNamespace == key.namespace
        else {
            throw StoreError(
                .invalidDocument, path: path, location: mapping[ResourceDocument.metadataKey]?["name"]?.location,
                "the file holds \(resource.metadata.effectiveNamespace)/\(resource.kind)/\(resource.metadata.name); its path says \(key)")
        }
        let result = StoredResource(
            resource: resource,
            // Of the file as it is (sealed): the digest a status write compares.
            specDigest: ResourceDocument.specDigest(of: document.root),
            observedSpecDigest: ResourceDocument.observedSpecDigest(in: document.root),
            isArchived: archived)
        if decoded.count >= options.cacheLimit { decoded.removeAll(keepingCapacity: true) }
        decoded[id] = result
        return result
    }

    func report(_ event: StoreEvent) {
        switch event {
        case .contractViolation(let violation):
            violations.increment()
            logger.warning(
                "ignoring a commit the contract does not allow: \(violation)",
                metadata: ["path": "\(violation.path ?? "-")", "commit": "\(violation.commit?.hex ?? "-")", "rule": "\(violation.rule)"])
        case .historyRefused(let reason):
            historyRefusals.increment()
            logger.error("history refused: \(reason)")
        case .invalidResource(let error):
            logger.warning("cannot read a resource: \(error)", metadata: ["path": "\(error.path ?? "")"])
        case .pushRetried(let attempt, let reason):
            conflicts.increment()
            logger.debug("push attempt \(attempt) failed, retrying: \(reason)")
        }
        options.eventHandler?(event)
    }

    // MARK: Serialization

    func acquire() async {
        await gate.acquire()
    }

    func release() {
        gate.release()
    }
}

/// A range of changes read in parts: its changed keys, each with its
/// blob in the view when the first part was read (`nil`: removed), sorted.
struct PartedRange: Sendable {
    /// The revision the changes are since.
    var from: ObjectID?
    /// The revision in view at the first part: every part describes it.
    var revision: StoreRevision?
    /// The last key read; the next part starts after it.
    var after: ResourceKey?
    var files: [(key: ResourceKey, blob: ObjectID?)]
}

extension Array {
    /// The index of the first element for which `isAfter` holds, in an
    /// array where it holds for a suffix: a binary search.
    func partitioningIndex(where isAfter: (Element) -> Bool) -> Index {
        var low = startIndex
        var high = endIndex
        while low < high {
            let middle = low + (high - low) / 2
            if isAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
