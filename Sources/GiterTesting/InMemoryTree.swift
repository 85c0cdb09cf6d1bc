import Giter

/// The tree of a commit in an ``InMemoryRemote``: folders of entries, as
/// Git stores them, so that edits replace a file by a folder (and the
/// reverse) and a folder left empty vanishes, as they do in Git.
///
/// A value type: a commit shares every folder it did not edit with its
/// parent, as Git shares subtrees by id.
struct InMemoryTree: Sendable, Hashable {
    /// An entry of a folder.
    enum Node: Sendable, Hashable {
        /// A file: its blob and mode (a test may forge a symbolic link or a gitlink).
        case file(ObjectID, FileMode)
        case folder(InMemoryTree)
    }

    /// The entries of this folder, by name.
    private(set) var entries: [String: Node] = [:]

    init() {}

    /// A tree of exactly `files` (path → blob and mode), with no check of
    /// the paths: how a test forges a tree that Giter must refuse to read.
    init(files: [String: (id: ObjectID, mode: FileMode)]) {
        for (path, file) in files {
            insert(.file(file.id, file.mode), at: path.split(separator: "/")[...])
        }
    }

    private mutating func insert(_ node: Node, at components: ArraySlice<Substring>) {
        guard let first = components.first else { return }
        let name = String(first)
        guard components.count > 1 else {
            entries[name] = node
            return
        }
        var child = InMemoryTree()
        if case .folder(let existing) = entries[name] { child = existing }
        child.insert(node, at: components.dropFirst())
        entries[name] = .folder(child)
    }

    /// The entry at `path`, `nil` when there is none; the empty path is the tree itself.
    func node(at path: String) -> Node? {
        var tree = self
        var components = path.split(separator: "/")[...]
        while let component = components.popFirst() {
            guard let node = tree.entries[String(component)] else { return nil }
            guard !components.isEmpty else { return node }
            guard case .folder(let next) = node else { return nil }
            tree = next
        }
        return .folder(self)
    }

    /// The folder at `path` (`""`: this tree), `nil` when `path` is missing or a file.
    func subtree(at path: String) -> InMemoryTree? {
        guard case .folder(let tree) = node(at: path) else { return nil }
        return tree
    }

    /// Every file in the folder `folder` (nil: the whole tree), with its
    /// path from the root, in no particular order.
    func files(under folder: String?) -> [TreeEntry] {
        guard let tree = subtree(at: folder ?? "") else { return [] }
        var result: [TreeEntry] = []
        var pending: [(tree: InMemoryTree, path: String)] = [(tree, folder ?? "")]
        while let (current, path) = pending.popLast() {
            for (name, node) in current.entries {
                let full = path.isEmpty ? name : path + "/" + name
                switch node {
                case .file(let id, let mode): result.append(TreeEntry(path: full, mode: mode, id: id))
                case .folder(let subtree): pending.append((subtree, full))
                }
            }
        }
        return result
    }

    /// The tree `plan` makes of this one, by the rules of ``TreeEditPlan``
    /// (the ones every backend follows); `blob` stores the contents of a
    /// write and returns its id.
    func applying(_ plan: TreeEditPlan, blob: ([UInt8]) -> ObjectID) -> InMemoryTree {
        /// Folder path → its new tree; a folder left empty is absent.
        var results: [String: InMemoryTree] = [:]
        for folder in plan.folders {
            var tree = subtree(at: folder.path) ?? InMemoryTree()
            for file in folder.files {
                switch file.edit {
                case .write(_, let contents):
                    tree.entries[file.name] = .file(blob(contents), .regular)
                case .delete:
                    // A delete removes a file, never a folder.
                    if case .file = tree.entries[file.name] { tree.entries[file.name] = nil }
                }
            }
            for name in folder.subfolders {
                if let child = results[folder.path(of: name)] {
                    tree.entries[name] = .folder(child)
                } else if case .folder = tree.entries[name] {
                    tree.entries[name] = nil
                }
            }
            results[folder.path] = tree.entries.isEmpty ? nil : tree
        }
        return results[""] ?? InMemoryTree()
    }
}
