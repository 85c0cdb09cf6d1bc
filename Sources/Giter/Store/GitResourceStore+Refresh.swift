import Logging
extension GitResourceStore {
    public func remoteMoved() async throws -> Bool {
        guard loaded else { return true }
        return try await transport.remoteTip() != tip
    }

    @discardableResult
    public func refresh() async throws -> StoreRevision? {
        await acquire()
        do {
            try await refreshView()
            release()
        } catch {
            release()
            throw error
        }
        return revision()
    }

    /// Fetches when the remote moved and advances the view. Call with the gate held.
    func refreshView() async throws {
        if loaded, try await transport.remoteTip() == tip { return }
        let fetched = try await transport.fetch()
        try await advance(to: fetched)
        loaded = true
    }

    /// Moves the view to `new`: checks the commits in between against the
    /// roles, then updates the index from the diff. `ownCommit` is a commit
    /// this store just made on top of the view: its writes were planned by
    /// the role rules, so it is not read back to be checked. Call with the
    /// gate held.
    func advance(to new: ObjectID?, ownCommit: Bool = false) async throws {
        guard new != tip || !loaded else { return }
        guard let new else {
            live = [:]
            archived = [:]
            overrides = [:]
            tip = nil
            lastDiff = nil
            return
        }
        var diff: [PathChange]?
        if !ownCommit, loaded || options.historyCheck == .fullHistory {
            var checkedUpTo = tip
            var commits: [CommitInfo]
            if !loaded, let point = await loadCheckPoint(), let since = try? await commitsAfter(point.commit, upTo: new) {
                // A process before this one checked the history up to the check point.
                overrides = point.overrides
                checkedUpTo = point.commit
                commits = since
            } else {
                commits = try await transport.commits(from: new, excluding: tip, limit: nil)
            }
            for commit in commits.reversed() {
                let changes = try await transport.changes(from: commit.parents.first, to: commit.id, under: nil)
                try await check(commit, changes: changes)
                // One commit on top of the view: its diff is the range's diff.
                if commits.count == 1, commit.parents.first == tip, checkedUpTo == tip { diff = changes }
            }
            // Only once every commit up to `new` is checked (a check that
            // stopped half way, on a read that failed, is done again next
            // time), and only by a store that checked the whole history: one
            // that trusted what the branch held at its start proves nothing
            // about it to the next process.
            if options.historyCheck == .fullHistory, !commits.isEmpty || checkedUpTo != tip {
                await saveCheckPoint(at: new)
            }
        }
        let changes: [PathChange]
        if let diff {
            changes = diff
        } else {
            changes = try await transport.changes(from: tip, to: new, under: nil)
        }
        for change in changes {
            if let key = ResourceKey(repositoryPath: change.path) {
                guard key.kind == resourceType.kind else { continue }
                live[key] = change.newID
                if change.newID == nil { overrides[key] = nil }
            } else if let key = ResourceKey(archivePath: change.path), key.kind == resourceType.kind {
                archived[key] = change.newID
            }
        }
        lastDiff = (from: tip, to: new, changes: changes)
        tip = new
    }

    /// The commits after a check point up to `new`, or `nil` when the check
    /// point is not an ancestor of `new` (a rewritten history) or not in the mirror.
    private func commitsAfter(_ checked: ObjectID, upTo new: ObjectID) async throws -> [CommitInfo]? {
        if checked == new { return [] }
        let commits = try await transport.commits(from: new, excluding: checked, limit: nil)
        guard let oldest = commits.last, oldest.parents.contains(checked) else { return nil }
        return commits
    }

    /// Checks one commit's changes to live resource files against its
    /// author's role, and records overrides for the sections it may not write.
    func check(_ commit: CommitInfo, changes: [PathChange]) async throws {
        let role = options.roles.role(of: commit)
        for change in changes {
            guard let key = ResourceKey(repositoryPath: change.path), key.kind == resourceType.kind else { continue }
            var old: ResourceDocument?
            var new: ResourceDocument?
            do {
                if let id = change.oldID { old = try await document(id, path: change.path) }
                if let id = change.newID { new = try await document(id, path: change.path) }
            } catch let error as StoreError {
                // Unreadable either way: the reader reports it when it reads the file.
                options.logger.debug("not checking \(change.path) in \(commit.id): \(error)")
                continue
            }
            var override = overrides[key] ?? SectionOverride()
            if old?.producerSection != new?.producerSection {
                if role == .producer {
                    override.producer = nil
                } else {
                    violation(commit, role: role, key: key, section: .spec)
                    if override.producer == nil { override.producer = .init(value: old?.producerSection) }
                }
            }
            if old?.status != new?.status {
                if role == .consumer || (role == .producer && new == nil) {
                    override.status = nil
                } else {
                    violation(commit, role: role, key: key, section: .status)
                    if override.status == nil { override.status = .init(value: old?.status) }
                }
            }
            if new == nil, role == .producer { override = SectionOverride() }
            overrides[key] = override.isEmpty ? nil : override
            // A decoded value may predate the override.
            if let id = change.newID { decoded[id] = nil }
        }
    }

    private func violation(_ commit: CommitInfo, role: ExchangeRole?, key: ResourceKey, section: OwnershipViolation.Section) {
        report(
            .ownershipViolation(
                OwnershipViolation(
                    commit: commit.id.hex, author: commit.author.description, role: role, key: key, section: section)))
    }
}
