internal import CLibGit2
import Giter

/// Reads files out of trees: listings and id-pruned comparisons.
enum TreeWalk {
    /// Every file under `tree`, paths prefixed with `base`, checked with
    /// ``RepositoryPath/validate(_:)-(TreeEntry)``. Iterative: a deep tree
    /// cannot exhaust the stack.
    static func files(in tree: Tree, base: String) throws(TransportError) -> [TreeEntry] {
        var result: [TreeEntry] = []
        var pending: [(tree: Tree, path: String)] = [(tree, base)]
        while let (current, path) = pending.popLast() {
            for entry in current.entries {
                let full = join(path, entry.name)
                if entry.isTree {
                    pending.append((try current.owner.tree(entry.oid), full))
                } else {
                    let file = TreeEntry(path: full, mode: entry.fileMode, id: ObjectID(entry.oid))
                    try RepositoryPath.validate(file)
                    result.append(file)
                }
            }
        }
        return sortedByPath(result)
    }

    /// The files that differ between `old` and `new` (either may be absent),
    /// descending only into subtrees whose ids differ.
    static func changes(from old: Tree?, to new: Tree?, base: String, in repository: Repository) throws(TransportError)
        -> [PathChange]
    {
        var result: [PathChange] = []
        var pending: [(old: git_oid?, new: git_oid?, path: String)] = [(old?.oid, new?.oid, base)]
        while let (oldOID, newOID, path) = pending.popLast() {
            if let oldOID, let newOID, git_oid.same(oldOID, newOID) { continue }
            let oldEntries = try oldOID.map { (oid) throws(TransportError) in try repository.tree(oid).entries } ?? []
            let newEntries = try newOID.map { (oid) throws(TransportError) in try repository.tree(oid).entries } ?? []
            var oldByName: [String: Tree.Entry] = [:]
            oldByName.reserveCapacity(oldEntries.count)
            for entry in oldEntries { oldByName[entry.name] = entry }
            for entry in newEntries {
                let full = join(path, entry.name)
                let before = oldByName.removeValue(forKey: entry.name)
                if let before, git_oid.same(before.oid, entry.oid), before.mode == entry.mode { continue }
                let oldTree = before.flatMap { $0.isTree ? $0.oid : nil }
                let oldFile = before.flatMap { $0.isTree ? nil : $0 }
                if entry.isTree {
                    pending.append((oldTree, entry.oid, full))
                    if let oldFile { result.append(try change(full, old: oldFile, new: nil)) }
                } else {
                    if let oldTree { pending.append((oldTree, nil, full)) }
                    result.append(try change(full, old: oldFile, new: entry))
                }
            }
            for entry in oldByName.values {
                let full = join(path, entry.name)
                if entry.isTree {
                    pending.append((entry.oid, nil, full))
                } else {
                    result.append(try change(full, old: entry, new: nil))
                }
            }
        }
        return sortedByPath(result)
    }

    private static func change(_ path: String, old: Tree.Entry?, new: Tree.Entry?) throws(TransportError) -> PathChange {
        for entry in [old, new].compactMap({ $0 }) {
            try RepositoryPath.validate(TreeEntry(path: path, mode: entry.fileMode, id: ObjectID(entry.oid)))
        }
        return PathChange(
            path: path,
            oldID: old.map { ObjectID($0.oid) }, oldMode: old?.fileMode,
            newID: new.map { ObjectID($0.oid) }, newMode: new?.fileMode
        )
    }

    static func join(_ base: String, _ name: String) -> String {
        base.isEmpty ? name : base + "/" + name
    }

    /// Sorted by the bytes of the path, as Git orders an index.
    static func sortedByPath<Item>(_ items: [Item], path: (Item) -> String) -> [Item] {
        items.sorted { path($0).utf8.lexicographicallyPrecedes(path($1).utf8) }
    }

    private static func sortedByPath(_ entries: [TreeEntry]) -> [TreeEntry] {
        sortedByPath(entries) { $0.path }
    }

    private static func sortedByPath(_ changes: [PathChange]) -> [PathChange] {
        sortedByPath(changes) { $0.path }
    }

    /// Normalises a folder prefix (`a/b/` → `a/b`); nil or empty means the whole tree.
    static func folder(_ prefix: String?) throws(TransportError) -> String? {
        guard var prefix, !prefix.isEmpty else { return nil }
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if prefix.isEmpty { return nil }
        try RepositoryPath.validate(prefix)
        return prefix
    }
}
