internal import CLibGit2
import Giter

/// Owns a `git_tree` handle; keeps its repository alive.
final class Tree {
    let pointer: OpaquePointer
    let owner: Repository

    init(pointer: OpaquePointer, owner: Repository) {
        self.pointer = pointer
        self.owner = owner
    }

    deinit {
        git_tree_free(pointer)
    }

    /// One entry, copied out of the tree.
    struct Entry {
        var name: String
        var oid: git_oid
        var mode: UInt32

        var isTree: Bool { mode == FileMode.tree.rawValue }
        var fileMode: FileMode { FileMode(rawValue: mode) }
    }

    var oid: git_oid {
        git_tree_id(pointer).pointee
    }

    /// Every entry, in the tree's order.
    var entries: [Entry] {
        let count = git_tree_entrycount(pointer)
        var result: [Entry] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(pointer, index) else { continue }
            result.append(Self.copy(entry))
        }
        return result
    }

    /// The entry called `name` directly in this tree.
    func entry(named name: String) -> Entry? {
        git_tree_entry_byname(pointer, name).map(Self.copy)
    }

    /// The subtree at the folder path `path` (`a/b`), or nil when there is no such folder.
    func subtree(at path: String) throws(TransportError) -> Tree? {
        var current = self
        for component in path.split(separator: "/") {
            guard let entry = current.entry(named: String(component)), entry.isTree else { return nil }
            current = try owner.tree(entry.oid)
        }
        return current
    }

    private static func copy(_ entry: OpaquePointer) -> Entry {
        Entry(
            name: String(cString: git_tree_entry_name(entry)),
            oid: git_tree_entry_id(entry).pointee,
            mode: git_tree_entry_filemode(entry).rawValue
        )
    }
}
