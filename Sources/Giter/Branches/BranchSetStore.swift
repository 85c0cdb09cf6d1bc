import Logging

/// A ``ResourceStore`` over every live exchange branch (``ExchangeBranches``):
/// the store that follows a set of branches, so a ``Controller`` or a
/// ``Producer`` works on a branch-per-exchange repository as on folders.
///
/// ```swift
/// let branches = ExchangeBranches(main: mainTransport) { branch in
///     try await LibGit2Transport(configuration: RemoteConfiguration(url: url, branch: branch, mirrorPath: mirror))
/// }
/// let store = BranchSetStore<Experiment>(branches: branches, resourceType: type, options: options)
/// let controller = Controller(store: store, reconciler: ExperimentReconciler())
/// ```
///
/// Each live group has a store of its own (``ExchangeBranches/store(for:resourceType:options:)``),
/// which holds its branch to the exchange-branch rule at every move before
/// it judges a commit by the contract. A refresh lists the remote's refs
/// once and refreshes only the groups whose branch is new or moved (up to
/// ``maximumConcurrentRefreshes`` at once); ``remoteMoved()`` is that one
/// listing. A group whose branch breaks the rule is left out (at first
/// sight) or kept as it was (later), reported once as
/// ``StoreEvent/historyRefused(_:)`` and in ``refusedGroups``, and tried
/// again when its branch moves: one bad branch never blocks the others. A
/// group that cannot be refreshed for another reason (a transport error)
/// is logged and tried again at the next refresh, while the others are
/// served; the refresh throws only when the listing fails or every group
/// it tried failed so.
/// A group whose branch was archived or deleted leaves the view: its
/// resources come back as removed from ``changes(since:)``.
///
/// A branch starts from the main branch's tip, and so holds the files of
/// any exchange kept in the main branch's folders: the store serves from
/// each branch only the resources of its group.
///
/// Writes go to the store of each key's group (`group`, by default
/// ``ExchangeGroup/init(key:)``: one branch per resource). A producer's
/// apply for a group that has no live branch starts it at the main
/// branch's tip. A status, archive or delete for a group not in view is
/// ``WriteOutcome/notFound``; writes to a group whose branch is refused,
/// was archived meanwhile, or cannot start (an archived group is not
/// started again: its history stays under its archive ref) are
/// ``WriteOutcome/refused(_:)``. Archiving a resource moves its file under
/// `archive/` on its branch, as in folders; moving the branch itself under
/// `refs/giter/archive/` is ``ExchangeBranches/archive(_:)``'s, once its
/// exchange is over.
///
/// The revision is every group's commit (`group:commit`, sorted, space
/// separated): opaque, compared for equality and handed back to
/// ``changes(since:)``. Reads of archived resources see the `archive/`
/// folders of live branches, not archived branches.
public actor BranchSetStore<Resource: ExchangedResource>: ResourceStore {
    /// The group a resource lives in; throwing means the key has no group.
    public typealias Grouping = @Sendable (ResourceKey) throws -> ExchangeGroup

    /// The most group stores refreshed at once.
    public static var maximumConcurrentRefreshes: Int { 4 }

    public nonisolated let resourceType: ResourceType
    public nonisolated let identity: ExchangeIdentity
    /// The set followed.
    public nonisolated let branches: ExchangeBranches
    let options: StoreOptions
    let grouping: Grouping

    /// The store of each group in view.
    var members: [ExchangeGroup: GitResourceStore<Resource>] = [:]
    /// The tip each live group's branch had at its last refresh (whether
    /// it was taken or refused): a group is refreshed again when it moves.
    var seen: [ExchangeGroup: ObjectID] = [:]
    var refused: [ExchangeGroup: StoreError] = [:]
    /// The keys of groups that left the view, for ``changes(since:)``.
    var departed: [ExchangeGroup: [ResourceKey]] = [:]
    var departures: [ExchangeGroup] = []
    var loaded = false
    let gate = SerialGate()

    /// The most groups that left the view whose keys are kept.
    static var departedLimit: Int { 10_000 }

    /// A store over every live branch of `branches`, each a
    /// ``GitResourceStore`` with `options`, resources placed in groups by
    /// `group`.
    public init(
        branches: ExchangeBranches, resourceType: ResourceType, options: StoreOptions,
        group: @escaping Grouping = { try ExchangeGroup(key: $0) }
    ) {
        self.branches = branches
        self.resourceType = resourceType
        self.identity = options.identity
        self.options = options
        self.grouping = group
    }

    /// The main transport's repository, watched for any exchange branch
    /// moving (`refs/heads/giter/x/`) when it is a folder on this machine.
    public nonisolated var localRemote: LocalRemote? {
        branches.main.localRemote.map { LocalRemote(gitFolder: $0.gitFolder, reference: ExchangeGroup.referencePrefix) }
    }

    /// The groups whose branch the last refresh refused, and why.
    public var refusedGroups: [ExchangeGroup: StoreError] { refused }

    /// The groups in view, sorted.
    public var groups: [ExchangeGroup] { members.keys.sorted() }

    // MARK: Following the set

    public func remoteMoved() async throws -> Bool {
        guard loaded else { return true }
        return try await branches.list().live != seen
    }

    @discardableResult
    public func refresh() async throws -> StoreRevision? {
        await gate.acquire()
        do {
            try await refreshSet()
            gate.release()
        } catch {
            gate.release()
            throw error
        }
        return await revision()
    }

    /// One listing, then the groups that moved. Call with the gate held.
    private func refreshSet() async throws {
        let live = try await branches.list().live
        for group in members.keys where live[group] == nil {
            await depart(group)
        }
        seen = seen.filter { live[$0.key] != nil }
        refused = refused.filter { live[$0.key] == seen[$0.key] }
        let moved = live.filter { seen[$0.key] != $0.value }.sorted { $0.key < $1.key }
        var stores: [(ExchangeGroup, ObjectID, GitResourceStore<Resource>)] = []
        for (group, tip) in moved {
            let store: GitResourceStore<Resource>
            if let member = members[group] {
                store = member
            } else {
                store = try await branches.store(for: group, resourceType: resourceType, options: options)
            }
            stores.append((group, tip, store))
        }
        var failures: [any Error] = []
        for (group, tip, store, outcome) in await Self.refreshAll(stores) {
            switch outcome {
            case .success:
                seen[group] = tip
                refused[group] = nil
                if members[group] == nil { arrive(group, store) }
            case .failure(let error as StoreError) where error.code == .historyRefused:
                seen[group] = tip
                refused[group] = error
            case .failure(let error):
                // Not seen: tried again at the next refresh, while the other groups are served.
                failures.append(error)
                options.logger.warning("could not refresh the exchange group \(group): \(error)")
            }
        }
        loaded = true
        if let first = failures.first, failures.count == stores.count { throw first }
    }

    /// Refreshes `stores`, a few at a time, each to its own outcome.
    private static func refreshAll(_ stores: [(ExchangeGroup, ObjectID, GitResourceStore<Resource>)]) async
        -> [(ExchangeGroup, ObjectID, GitResourceStore<Resource>, Result<Void, any Error>)]
    {
        await withTaskGroup(of: (ExchangeGroup, ObjectID, GitResourceStore<Resource>, Result<Void, any Error>).self) { tasks in
            var results: [(ExchangeGroup, ObjectID, GitResourceStore<Resource>, Result<Void, any Error>)] = []
            var pending = stores[...]
            func startNext() {
                guard let (group, tip, store) = pending.popFirst() else { return }
                tasks.addTask {
                    do {
                        try await store.refresh()
                        return (group, tip, store, .success(()))
                    } catch {
                        return (group, tip, store, .failure(error))
                    }
                }
            }
            for _ in 0..<maximumConcurrentRefreshes { startNext() }
            while let result = await tasks.next() {
                results.append(result)
                startNext()
            }
            return results
        }
    }

    private func arrive(_ group: ExchangeGroup, _ store: GitResourceStore<Resource>) {
        members[group] = store
        if departed.removeValue(forKey: group) != nil { departures.removeAll { $0 == group } }
    }

    /// Drops `group`'s store, keeping its keys for ``changes(since:)``.
    private func depart(_ group: ExchangeGroup) async {
        guard let store = members.removeValue(forKey: group) else { return }
        let keys: [ResourceKey]
        do {
            keys = try await store.liveKeys()
        } catch {
            options.logger.warning("the exchange group \(group) left the view, and its resources cannot be listed as removed: \(error)")
            keys = []
        }
        departed[group] = keys.filter { belongs($0, to: group) }
        departures.append(group)
        if departures.count > Self.departedLimit { departed[departures.removeFirst()] = nil }
    }

    // MARK: Reads

    public func revision() async -> StoreRevision? {
        var parts: [String] = []
        for (group, store) in members.sorted(by: { $0.key < $1.key }) {
            if let revision = await store.revision() { parts.append("\(group.rawValue):\(revision.rawValue)") }
        }
        return parts.isEmpty ? nil : StoreRevision(parts.joined(separator: " "))
    }

    public func get(_ key: ResourceKey) async throws -> StoredResource<Resource>? {
        guard let group = try? grouping(key), let store = members[group] else { return nil }
        return try await store.get(key)
    }

    public func list(_ query: ResourceQuery) async throws -> [StoredResource<Resource>] {
        var result: [StoredResource<Resource>] = []
        for (group, store) in members.sorted(by: { $0.key < $1.key }) {
            result += try await store.list(query).filter { belongs($0.key, to: group) }
        }
        return result.sorted { $0.key < $1.key }
    }

    public func changes(since revision: StoreRevision?) async throws -> ResourceChanges<Resource> {
        let earlier = Self.commits(in: revision)
        var result = ResourceChanges<Resource>(revision: await self.revision(), updated: [], removed: [])
        for (group, store) in members.sorted(by: { $0.key < $1.key }) {
            let changes = try await store.changes(since: earlier[group].map(StoreRevision.init))
            result.updated += changes.updated.filter { belongs($0.key, to: group) }
            result.removed += changes.removed.filter { belongs($0, to: group) }
            result.invalid += changes.invalid.filter { belongs($0.key, to: group) }
            result.unreadable += changes.unreadable.filter { belongs($0.key, to: group) }
        }
        for group in earlier.keys where members[group] == nil {
            result.removed += departed[group] ?? []
        }
        result.updated.sort { $0.key < $1.key }
        result.removed.sort()
        result.invalid.sort { $0.key < $1.key }
        result.unreadable.sort { $0.key < $1.key }
        return result
    }

    /// Whether `key` lives in `group`. A branch starts from main's tip and
    /// so holds main's files too: only its group's resources are served.
    func belongs(_ key: ResourceKey, to group: ExchangeGroup) -> Bool {
        (try? grouping(key)) == group
    }

    /// Each group's commit in a revision of this store.
    static func commits(in revision: StoreRevision?) -> [ExchangeGroup: String] {
        var commits: [ExchangeGroup: String] = [:]
        for part in revision?.rawValue.split(separator: " ") ?? [] {
            guard let colon = part.lastIndex(of: ":"), let group = try? ExchangeGroup(String(part[..<colon])) else { continue }
            commits[group] = String(part[part.index(after: colon)...])
        }
        return commits
    }

    // MARK: Writes

    /// Applies each group's writes as one commit on its branch (see
    /// ``ResourceStore/write(_:)``). A group whose writes cannot be pushed
    /// (a transport error) gets ``WriteOutcome/notApplied(_:)`` for them
    /// while the other groups' commits stand; when every group fails so,
    /// the first error is thrown.
    public func write(_ writes: [ResourceWrite<Resource>]) async throws -> WriteResult {
        await gate.acquire()
        defer { gate.release() }
        var outcomes = [WriteOutcome?](repeating: nil, count: writes.count)
        var byGroup: [ExchangeGroup: [Int]] = [:]
        for (index, write) in writes.enumerated() {
            do {
                byGroup[try grouping(write.key), default: []].append(index)
            } catch {
                outcomes[index] = .refused("\(write.key) belongs to no exchange group: \(error)")
            }
        }
        var attempts = 0
        var failures: [any Error] = []
        for (group, indices) in byGroup.sorted(by: { $0.key < $1.key }) {
            if members[group] == nil, let error = refused[group] {
                for index in indices { outcomes[index] = .refused("\(group.branch): \(error.message)") }
                continue
            }
            do {
                guard let store = try await storeForWriting(group, starting: indices.contains { writes[$0].startsResource }) else {
                    for index in indices { outcomes[index] = .notFound }
                    continue
                }
                let result = try await store.write(indices.map { writes[$0] })
                for (index, outcome) in zip(indices, result.outcomes) { outcomes[index] = outcome }
                attempts = max(attempts, result.attempts)
                if let revision = result.revision, let tip = ObjectID(hex: revision.rawValue) { seen[group] = tip }
            } catch let error as StoreError where error.code == .historyRefused {
                // The branch broke the rule, was archived or deleted, or cannot start: the group's own outcome.
                for index in indices { outcomes[index] = .refused("\(group.branch): \(error.message)") }
                if (try? await branches.main.listReferences(under: [group.reference.rawValue]))?.isEmpty == true { await depart(group) }
            } catch {
                failures.append(error)
                for index in indices { outcomes[index] = .notApplied("\(group.branch): \(error)") }
            }
        }
        if let first = failures.first, failures.count == byGroup.count, !byGroup.isEmpty { throw first }
        return WriteResult(outcomes: outcomes.map { $0 ?? .notFound }, revision: await revision(), attempts: attempts)
    }

    /// The store to write `group` through: the one in view; for a producer
    /// that applies a spec, a new branch started at the main branch's tip.
    /// `nil`: the group is not in view and nothing starts it.
    private func storeForWriting(_ group: ExchangeGroup, starting: Bool) async throws -> GitResourceStore<Resource>? {
        if let store = members[group] { return store }
        guard starting, identity.role == .producer else { return nil }
        let tip = try await branches.start(group)
        let store: GitResourceStore<Resource> = try await branches.store(for: group, resourceType: resourceType, options: options)
        try await store.refresh()
        seen[group] = tip
        arrive(group, store)
        return store
    }
}

extension ResourceWrite {
    /// Whether the write makes the resource exist.
    var startsResource: Bool {
        switch self {
        case .apply, .applyText: true
        case .status, .archive, .delete: false
        }
    }
}

extension GitResourceStore {
    /// The keys of the live resources in view.
    func liveKeys() async throws -> [ResourceKey] {
        try await ensureIndex()
        return live.keys.sorted()
    }
}
