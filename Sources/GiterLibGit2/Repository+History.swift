internal import CLibGit2
import Giter

extension Repository {
    /// The commits reachable from `start` that changed `path`, newest first.
    ///
    /// A commit counts when the path's entry (id and mode) differs from
    /// every parent's — for a merge, a path equal to one parent's came
    /// from that parent, as `git log -- path` simplifies history.
    func history(of path: String, from start: ObjectID, limit: Int?) throws(TransportError) -> [CommitInfo] {
        try RepositoryPath.validate(path)
        if let limit, limit <= 0 { return [] }
        let walk = try RevisionWalk(repository: self)
        var startOID = try start.gitOID()
        _ = try commit(&startOID, describedAs: start.hex)
        try walk.push(startOID)
        var cache: [ObjectID: Tree.Entry?] = [:]
        func entry(of oid: git_oid) throws(TransportError) -> Tree.Entry? {
            let id = ObjectID(oid)
            if let known = cache[id] { return known }
            var oid = oid
            let found = try commit(&oid, describedAs: id.hex).tree().entry(atPath: path)
            cache[id] = .some(found)
            return found
        }
        var result: [CommitInfo] = []
        while var oid = try walk.next() {
            let current = try entry(of: oid)
            let commit = try commit(&oid, describedAs: ObjectID(oid).hex)
            let parents = commit.parentOIDs
            var changed: Bool
            if parents.isEmpty {
                changed = current != nil
            } else {
                changed = true
                for parent in parents where Tree.Entry.same(try entry(of: parent), current) {
                    changed = false
                    break
                }
            }
            guard changed else { continue }
            result.append(commit.info)
            if let limit, result.count >= limit { break }
        }
        return result
    }
}

extension Tree {
    /// The entry at `path` (`a/b/c`), or nil.
    func entry(atPath path: String) throws(TransportError) -> Entry? {
        var entry: OpaquePointer?
        let code = try LibGit2.check(git_tree_entry_bypath(&entry, pointer, path), "read '\(path)'", allowing: [.notFound])
        guard code == .ok, let entry else { return nil }
        defer { git_tree_entry_free(entry) }
        return Entry(
            name: String(cString: git_tree_entry_name(entry)),
            oid: git_tree_entry_id(entry).pointee,
            mode: git_tree_entry_filemode(entry).rawValue
        )
    }
}

extension Tree.Entry {
    /// Whether two optional entries have the same id and mode.
    static func same(_ lhs: Tree.Entry?, _ rhs: Tree.Entry?) -> Bool {
        switch (lhs, rhs) {
        case (nil, nil): true
        case (let lhs?, let rhs?): lhs.mode == rhs.mode && git_oid.same(lhs.oid, rhs.oid)
        default: false
        }
    }
}

/// Owns a `git_revwalk`, sorted topologically and by time.
final class RevisionWalk {
    let pointer: OpaquePointer
    let owner: Repository

    init(repository: Repository) throws(TransportError) {
        var handle: OpaquePointer?
        try LibGit2.check(git_revwalk_new(&handle, repository.pointer), "start a history walk")
        guard let handle else { throw TransportError(.backend, "libgit2 returned no revision walk") }
        pointer = handle
        owner = repository
        try LibGit2.check(
            git_revwalk_sorting(pointer, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue), "sort the history walk")
    }

    deinit {
        git_revwalk_free(pointer)
    }

    func push(_ oid: git_oid) throws(TransportError) {
        var oid = oid
        try LibGit2.check(git_revwalk_push(pointer, &oid), "walk from \(ObjectID(oid))")
    }

    /// The next commit id, or nil at the end.
    func next() throws(TransportError) -> git_oid? {
        var oid = git_oid()
        let code = try LibGit2.check(git_revwalk_next(&oid, pointer), "walk the history", allowing: [.iterationOver])
        return code == .ok ? oid : nil
    }
}
