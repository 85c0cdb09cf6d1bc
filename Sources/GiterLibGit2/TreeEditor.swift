internal import CLibGit2
import Giter

/// Writes the tree a ``TreeEditPlan`` makes of a parent's tree: only the
/// folders on edited paths are rebuilt, every other subtree is reused by id.
/// The plan holds the rules; this holds the libgit2 mechanics.
struct TreeEditor {
    let plan: TreeEditPlan

    init(_ plan: TreeEditPlan) {
        self.plan = plan
    }

    /// Writes the edited tree (and its new blobs) into `repository`, starting
    /// from `base` (nil: the empty tree), and returns its id.
    func write(onto base: Tree?, in repository: Repository) throws(TransportError) -> git_oid {
        let bases = try folders(of: base, in: repository)
        /// Folder path → its new tree id, nil when it ends up empty (Git keeps no empty folders).
        var results: [String: git_oid?] = [:]
        for folder in plan.folders {
            let base = bases[folder.path]
            let builder = try TreeBuilder(repository: repository, base: base)
            for file in folder.files {
                switch file.edit {
                case .write(_, let contents):
                    try builder.insert(file.name, repository.writeBlob(contents), mode: FileMode.regular.rawValue)
                case .delete:
                    // A delete removes a file, never a folder.
                    if let existing = base?.entry(named: file.name), !existing.isTree { try builder.remove(file.name) }
                }
            }
            for name in folder.subfolders {
                if case .some(.some(let oid)) = results[folder.path(of: name)] {
                    try builder.insert(name, oid, mode: FileMode.tree.rawValue)
                } else if base?.entry(named: name)?.isTree == true {
                    try builder.remove(name)
                }
            }
            results[folder.path] = .some(builder.count == 0 ? nil : try builder.write())
        }
        if case .some(.some(let root)) = results[""] { return root }
        return try TreeBuilder(repository: repository, base: nil).write()  // the empty tree
    }

    /// The trees of `base` at the plan's folders, by path; folders `base`
    /// does not have as trees are left out.
    private func folders(of base: Tree?, in repository: Repository) throws(TransportError) -> [String: Tree] {
        guard let base else { return [:] }
        var result = ["": base]
        // Shallowest first, so that a folder's parent is read before it.
        for folder in plan.folders.reversed() {
            guard let tree = result[folder.path] else { continue }
            for name in folder.subfolders {
                guard let entry = tree.entry(named: name), entry.isTree else { continue }
                result[folder.path(of: name)] = try repository.tree(entry.oid)
            }
        }
        return result
    }
}

/// Owns a `git_treebuilder`.
final class TreeBuilder {
    let pointer: OpaquePointer
    let owner: Repository

    init(repository: Repository, base: Tree?) throws(TransportError) {
        var handle: OpaquePointer?
        try LibGit2.check(git_treebuilder_new(&handle, repository.pointer, base?.pointer), "start a tree")
        guard let handle else { throw TransportError(.backend, "libgit2 returned no tree builder") }
        pointer = handle
        owner = repository
    }

    deinit {
        git_treebuilder_free(pointer)
    }

    var count: Int { git_treebuilder_entrycount(pointer) }

    func insert(_ name: String, _ oid: git_oid, mode: UInt32) throws(TransportError) {
        var oid = oid
        try LibGit2.check(
            git_treebuilder_insert(nil, pointer, name, &oid, git_filemode_t(rawValue: mode)),
            "add '\(name)' to a tree"
        )
    }

    /// Removes `name`; a missing name is not an error.
    func remove(_ name: String) throws(TransportError) {
        guard git_treebuilder_get(pointer, name) != nil else { return }
        try LibGit2.check(git_treebuilder_remove(pointer, name), "remove '\(name)' from a tree")
    }

    func write() throws(TransportError) -> git_oid {
        var oid = git_oid()
        try LibGit2.check(git_treebuilder_write(&oid, pointer), "write a tree")
        return oid
    }
}
