internal import CLibGit2
import Giter

/// Applies path edits to a tree, rebuilding only the folders on edited
/// paths; every other subtree is reused by id.
struct TreeEditor {
    /// The edits that fall in one folder.
    private final class Folder {
        /// File name → new contents, or nil to delete.
        var files: [String: [UInt8]?] = [:]
        var folders: [String: Folder] = [:]
    }

    private let root = Folder()

    /// Validates every path (``RepositoryPath/validate(_:)-(String)``) and
    /// groups the edits by folder. A later edit of the same path wins.
    init(edits: [PathEdit]) throws(TransportError) {
        for edit in edits {
            try RepositoryPath.validate(edit.path)
            let components = edit.path.split(separator: "/").map(String.init)
            guard let name = components.last else { continue }
            var folder = root
            var walked = ""
            for component in components.dropLast() {
                walked = TreeWalk.join(walked, component)
                if folder.files[component] != nil {
                    throw TransportError(.invalidArgument, "'\(edit.path)' needs '\(walked)' to be a folder, but another edit writes it as a file")
                }
                if let next = folder.folders[component] {
                    folder = next
                } else {
                    let next = Folder()
                    folder.folders[component] = next
                    folder = next
                }
            }
            if folder.folders[name] != nil {
                throw TransportError(.invalidArgument, "'\(edit.path)' is written as a file, but other edits put files under it")
            }
            switch edit {
            case .write(_, let contents): folder.files[name] = .some(contents)
            case .delete: folder.files[name] = .some(nil)
            }
        }
    }

    /// Writes the edited tree (and its new blobs) into `repository`, starting
    /// from `base` (nil: the empty tree), and returns its id.
    func write(onto base: Tree?, in repository: Repository) throws(TransportError) -> git_oid {
        if let oid = try write(root, onto: base, in: repository, path: "") { return oid }
        return try emptyTree(in: repository)
    }

    /// The new id of one folder, or nil when it ends up empty (Git keeps no empty folders).
    private func write(_ folder: Folder, onto base: Tree?, in repository: Repository, path: String)
        throws(TransportError) -> git_oid?
    {
        let builder = try TreeBuilder(repository: repository, base: base)
        for (name, contents) in folder.files {
            if let contents {
                let blob = try repository.writeBlob(contents)
                try builder.insert(name, blob, mode: FileMode.regular.rawValue)
            } else {
                try builder.remove(name)
            }
        }
        for (name, child) in folder.folders {
            let existing = base?.entry(named: name)
            var childBase: Tree?
            if let existing, existing.isTree { childBase = try repository.tree(existing.oid) }
            if let oid = try write(child, onto: childBase, in: repository, path: TreeWalk.join(path, name)) {
                try builder.insert(name, oid, mode: FileMode.tree.rawValue)
            } else if existing?.isTree == true {
                try builder.remove(name)
            }
        }
        return builder.count == 0 ? nil : try builder.write()
    }

    private func emptyTree(in repository: Repository) throws(TransportError) -> git_oid {
        try TreeBuilder(repository: repository, base: nil).write()
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
