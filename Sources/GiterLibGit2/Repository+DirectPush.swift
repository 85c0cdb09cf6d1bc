internal import CLibGit2
import Giter
import GiterLocalGit

extension Repository {
    /// Pushes `commit` into the bare repository at `remote` on this machine
    /// without `git-receive-pack`, when ``ReceivePolicy`` says receive-pack
    /// would do nothing more than check the objects in and move the ref.
    ///
    /// The remote is opened once and kept in `targets` across pushes while
    /// its folder and configuration file stay the same
    /// (``DirectPushTarget``); its hooks and loose objects are looked at on
    /// every push.
    ///
    /// 1. The remote branch is read: not at `expected` → `.conflict`.
    /// 2. The objects of the commits reachable from `commit` and not from
    ///    `expected` that the remote lacks are copied into its object
    ///    database as receive-pack would keep them (``ObjectCopyRoute``):
    ///    fewer than `receive.unpackLimit` (default 100) as loose objects,
    ///    each fsynced with its folder, in an order where an object comes
    ///    after those it points to; more as one pack and its index, both
    ///    fsynced before they are moved into `objects/pack` and that folder
    ///    fsynced after.
    /// 3. The branch is moved from `expected` to `commit` by
    ///    ``ReferenceLock/update(from:to:)``: under `refs/heads/<branch>.lock`,
    ///    the lock file receive-pack takes, with an owner record beside it,
    ///    the old value is compared again, so a concurrent push of either
    ///    kind wins or loses cleanly. A lock left by a dead Giter process is
    ///    removed; a lock held by anyone else is waited for as
    ///    ``ReferenceLock`` says, then reported as `.locked`.
    ///
    /// Returns nil, having written nothing, when the push must go through
    /// receive-pack instead: no `expected` (creating a branch), the remote
    /// cannot be opened as a bare repository, the policy asks for
    /// receive-pack, the branch is a symbolic ref or has a reflog, `expected` is not in the
    /// mirror, or `receive.denyNonFastForwards` is set and the push is not
    /// a fast-forward (receive-pack then words the refusal).
    func pushDirectly(
        _ commit: git_oid, expecting expected: ObjectID?, to local: LocalRepository,
        _ configuration: RemoteConfiguration, targets: DirectPushTargets
    ) throws(TransportError) -> PushOutcome? {
        guard let expected else { return nil }
        do throws(TransportError) {
            guard let target = try targets.target(at: local) else { return nil }
            return try pushDirectly(commit, expecting: expected, to: target, configuration)
        } catch {
            // Whatever went wrong, the next push opens the remote afresh.
            targets.forget()
            throw error
        }
    }

    private func pushDirectly(
        _ commit: git_oid, expecting expected: ObjectID, to target: DirectPushTarget,
        _ configuration: RemoteConfiguration
    ) throws(TransportError) -> PushOutcome? {
        let policy = target.policy
        guard policy.receivePackReason == nil else { return nil }
        let remote = target.repository

        let branch = configuration.localReference
        let lock = ReferenceLock(branch, in: target.folder)
        guard !lock.hasReflog, let current = try remote.directTarget(branch) else { return nil }
        let expectedOID = try expected.gitOID()
        guard let tip = current, git_oid.same(tip, expectedOID) else {
            return .conflict(
                message: RefUpdateFailure.lostRaceMessage(
                    reference: branch, current: current.map { ObjectID($0) }, expected: expected))
        }
        guard try contains(expectedOID) else { return nil }
        // The usual push, one or a few commits on top of `expected`, needs
        // no revision walk (which would read the whole history of `expected`).
        let chain = try linearChain(from: commit, to: expectedOID)
        if policy.deniesNonFastForwards, chain == nil, try !isDescendant(commit, of: expectedOID) { return nil }

        let objects: [git_oid]
        if let chain {
            objects = try objectsMissing(in: chain)
        } else {
            objects = try objectsMissing(from: commit, excluding: expectedOID)
        }
        try remote.copyObjects(
            objects, from: self, into: target.objects, unpackLimit: policy.unpackLimit, durably: true)
        let new = ObjectID(commit)
        return try lock.update(from: expected, to: new).pushOutcome(lock, expected: expected, new: new)
    }

    // MARK: Objects

    /// The commits from `base` (excluded) to `tip` along single parents,
    /// oldest first, when `tip` is `base` or descends from it through at
    /// most `limit` commits with one parent each; nil otherwise (a merge,
    /// a root commit, a longer or unrelated history). These are then
    /// exactly the commits reachable from `tip` and not from `base`.
    func linearChain(from tip: git_oid, to base: git_oid, limit: Int = 64) throws(TransportError) -> [Commit]? {
        var chain: [Commit] = []
        var next = tip
        while !git_oid.same(next, base) {
            guard chain.count < limit else { return nil }
            let commit = try self.commit(&next, describedAs: ObjectID(next).hex)
            guard git_commit_parentcount(commit.pointer) == 1, let parent = git_commit_parent_id(commit.pointer, 0)
            else { return nil }
            chain.append(commit)
            next = parent.pointee
        }
        return chain.reversed()
    }

    /// The objects of `chain` (oldest commit first, each the parent of the
    /// next; see ``linearChain(from:to:limit:)``) that the parent of its
    /// first commit lacks, ordered as ``objectsMissing(from:excluding:)`` orders them.
    func objectsMissing(in chain: [Commit]) throws(TransportError) -> [git_oid] {
        var result: [git_oid] = []
        var seen: Set<ObjectID> = []
        for commit in chain {
            var parent = commit.parentOIDs[0]
            let parentTree = try self.commit(&parent, describedAs: ObjectID(parent).hex).treeOID
            try collectTree(commit.treeOID, comparedTo: parentTree, into: &result, seen: &seen)
            result.append(git_commit_id(commit.pointer).pointee)
        }
        return result
    }

    /// The objects of the commits reachable from `tip` and not from `base`:
    /// each such commit and what its tree holds that its first parent's tree
    /// does not hold at the same path (subtrees with equal ids are skipped).
    /// Everything else is reachable from `base` or from an earlier commit
    /// of the list. Ordered oldest commit first, each object after those it
    /// points to.
    func objectsMissing(from tip: git_oid, excluding base: git_oid) throws(TransportError) -> [git_oid] {
        var walk: OpaquePointer?
        try LibGit2.check(git_revwalk_new(&walk, pointer), "list the commits to push")
        defer { git_revwalk_free(walk) }
        try LibGit2.check(
            git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue),
            "list the commits to push")
        var tip = tip
        var base = base
        try LibGit2.check(git_revwalk_push(walk, &tip), "list the commits to push")
        try LibGit2.check(git_revwalk_hide(walk, &base), "list the commits to push")

        var result: [git_oid] = []
        var seen: Set<ObjectID> = []
        var next = git_oid()
        while true {
            let status = try LibGit2.check(
                git_revwalk_next(&next, walk), "list the commits to push", allowing: [.iterationOver])
            if status == .iterationOver { break }
            let commit = try self.commit(&next, describedAs: ObjectID(next).hex)
            let parentTree = try commit.parentOIDs.first.map { (parent) throws(TransportError) in
                var parent = parent
                return try self.commit(&parent, describedAs: ObjectID(parent).hex).treeOID
            }
            try collectTree(commit.treeOID, comparedTo: parentTree, into: &result, seen: &seen)
            result.append(next)
        }
        return result
    }

    private func collectTree(
        _ oid: git_oid, comparedTo old: git_oid?, into result: inout [git_oid], seen: inout Set<ObjectID>
    ) throws(TransportError) {
        if let old, git_oid.same(oid, old) { return }
        guard seen.insert(ObjectID(oid)).inserted else { return }
        let tree = try self.tree(oid)
        let before = try old.map { (old) throws(TransportError) in try self.tree(old) }
        for entry in tree.entries {
            let previous = before?.entry(named: entry.name)
            if let previous, git_oid.same(previous.oid, entry.oid) { continue }
            switch entry.fileMode {
            case .tree:
                try collectTree(
                    entry.oid, comparedTo: previous?.isTree == true ? previous?.oid : nil, into: &result, seen: &seen)
            case .gitlink:
                continue  // a commit of another repository: not an object here
            default:
                if seen.insert(ObjectID(entry.oid)).inserted { result.append(entry.oid) }
            }
        }
        result.append(oid)
    }

    /// Copies `objects` that this repository lacks from `source`, in order,
    /// through `database`: this repository's object database — for a push,
    /// with a loose-object backend that fsyncs every file and its folder
    /// ahead of the default ones (``DirectPushTarget/objects``); for a
    /// direct fetch into the mirror, the plain one.
    ///
    /// When as many objects are missing as `unpackLimit` says
    /// (``ObjectCopyRoute``), they are written as one pack instead
    /// (``writePack(_:into:durably:)``, fsynced when `durably`): one file
    /// and its index rather than a file, a folder sync and a rescan of the
    /// packs per object.
    func copyObjects(
        _ objects: [git_oid], from source: Repository, into database: OpaquePointer, unpackLimit: Int,
        durably: Bool
    ) throws(TransportError) {
        var missing: [git_oid] = []
        for var oid in objects {
            if git_odb_exists_ext(database, &oid, UInt32(GIT_ODB_LOOKUP_NO_REFRESH.rawValue)) != 1 { missing.append(oid) }
        }
        let here = LocalRepository(folder: gitDirectory)
        if ObjectCopyRoute.route(objectCount: missing.count, unpackLimit: unpackLimit, into: here) == .pack {
            try source.writePack(missing, into: here, durably: durably)
            return
        }

        var sourceODB: OpaquePointer?
        try LibGit2.check(git_repository_odb(&sourceODB, source.pointer), "open the object database of \(source.path)")
        defer { git_odb_free(sourceODB) }
        for var oid in missing {
            var object: OpaquePointer?
            try LibGit2.check(git_odb_read(&object, sourceODB, &oid), "read \(ObjectID(oid)) from \(source.path)")
            defer { git_odb_object_free(object) }
            var written = git_oid()
            try LibGit2.check(
                git_odb_write(
                    &written, database, git_odb_object_data(object), git_odb_object_size(object),
                    git_odb_object_type(object)),
                "write \(ObjectID(oid)) into \(path)")
            guard git_oid.same(written, oid) else {
                throw TransportError(.backend, "copying \(ObjectID(oid)) into \(path) gave \(ObjectID(written))")
            }
        }
    }

    // MARK: Refs

    /// `.some(id)` / `.some(nil)` (missing) for a direct ref; nil for a symbolic one.
    func directTarget(_ name: String) throws(TransportError) -> git_oid?? {
        var reference: OpaquePointer?
        let found = try LibGit2.check(
            git_reference_lookup(&reference, pointer, name), "read \(name) in the remote", allowing: [.notFound])
        defer { git_reference_free(reference) }
        guard found == .ok, let reference else { return .some(nil) }
        guard git_reference_type(reference) == GIT_REFERENCE_DIRECT, let target = git_reference_target(reference)
        else { return nil }
        return .some(target.pointee)
    }

    private func isDescendant(_ commit: git_oid, of ancestor: git_oid) throws(TransportError) -> Bool {
        if git_oid.same(commit, ancestor) { return true }
        var commit = commit
        var ancestor = ancestor
        let result = git_graph_descendant_of(pointer, &commit, &ancestor)
        try LibGit2.check(result, "compare \(ObjectID(commit)) with \(ObjectID(ancestor))")
        return result == 1
    }
}
