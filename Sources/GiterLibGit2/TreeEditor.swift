internal import CLibGit2
import Giter
import GiterLocalGit

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Makes, in memory, the objects of the tree a ``TreeEditPlan`` makes of a
/// parent's tree: a blob per written file and the folders on edited paths,
/// each encoded and hashed as Git does; every other subtree is reused by
/// id. Nothing is written here: ``Repository/write(_:)`` writes the objects
/// loose or as one pack, so that a commit of many files costs one file
/// rather than a file and a rescan of the packs per object. The plan holds
/// the rules; this holds the encoding.
struct TreeEditor {
    let plan: TreeEditPlan

    init(_ plan: TreeEditPlan) {
        self.plan = plan
    }

    /// An object made in memory: its type, its bytes (without Git's
    /// `type size\0` header) and its id.
    struct NewObject {
        var type: git_object_t
        var bytes: [UInt8]
        var oid: git_oid
    }

    /// A new tree: the root's id and the objects to write for it, each
    /// after those it points to (blobs first, then trees, deepest first).
    struct Edit {
        var root: git_oid
        var objects: [NewObject]
    }

    /// The tree the plan makes of `base` (nil: the empty tree) in
    /// `repository`, whose parent trees it reads; writes nothing.
    func edit(onto base: Tree?, in repository: Repository) throws(TransportError) -> Edit {
        let bases = try folders(of: base, in: repository)
        var objects: [NewObject] = []
        /// Folder path → its new tree id, nil when it ends up empty (Git keeps no empty folders).
        var results: [String: git_oid?] = [:]
        for folder in plan.folders {
            let base = bases[folder.path]
            var entries = base.map(Self.entriesByName) ?? [:]
            for file in folder.files {
                let name = Array(file.name.utf8)
                switch file.edit {
                case .write(_, let contents):
                    let blob = try Self.object(.blob, contents)
                    objects.append(blob)
                    entries[name] = RawEntry(name: name, mode: FileMode.regular.rawValue, oid: blob.oid)
                case .delete:
                    // A delete removes a file, never a folder.
                    if let existing = entries[name], !existing.isTree { entries[name] = nil }
                }
            }
            for subfolder in folder.subfolders {
                let name = Array(subfolder.utf8)
                if case .some(.some(let oid)) = results[folder.path(of: subfolder)] {
                    entries[name] = RawEntry(name: name, mode: FileMode.tree.rawValue, oid: oid)
                } else if entries[name]?.isTree == true {
                    entries[name] = nil
                }
            }
            if entries.isEmpty {
                results[folder.path] = .some(nil)
            } else {
                let tree = try Self.object(.tree, Self.encode(Array(entries.values)))
                objects.append(tree)
                results[folder.path] = .some(tree.oid)
            }
        }
        if case .some(.some(let root)) = results[""] { return Edit(root: root, objects: objects) }
        let empty = try Self.object(.tree, [])
        objects.append(empty)
        return Edit(root: empty.oid, objects: objects)
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

    // MARK: Git's tree encoding

    /// A tree entry with its name as the tree holds it (bytes, not
    /// necessarily UTF-8), so that an entry kept from the parent is written
    /// back unchanged.
    struct RawEntry {
        var name: [UInt8]
        var mode: UInt32
        var oid: git_oid

        /// A folder, by the type bits of its mode, as Git reads them.
        var isTree: Bool { mode & 0o170000 == 0o040000 }
    }

    /// The entries of `tree`, by name.
    static func entriesByName(_ tree: Tree) -> [[UInt8]: RawEntry] {
        let count = git_tree_entrycount(tree.pointer)
        var result: [[UInt8]: RawEntry] = [:]
        result.reserveCapacity(count + 4)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(tree.pointer, index), let cName = git_tree_entry_name(entry)
            else { continue }
            let name = Array(UnsafeRawBufferPointer(start: cName, count: strlen(cName)))
            // The mode as the tree holds it (`git_tree_entry_filemode` would make `100664` `100644`).
            result[name] = RawEntry(
                name: name, mode: UInt32(git_tree_entry_filemode_raw(entry).rawValue), oid: git_tree_entry_id(entry).pointee)
        }
        return result
    }

    /// A tree object's bytes (``GitTreeEncoding``, the one encoder both backends use).
    static func encode(_ entries: [RawEntry]) -> [UInt8] {
        GitTreeEncoding.encode(
            entries.map { entry in
                GitTreeEncoding.Entry(
                    name: entry.name, mode: Array(String(entry.mode, radix: 8).utf8), isFolder: entry.isTree,
                    id: withUnsafeBytes(of: entry.oid.id) { Array($0) })
            })
    }

    /// `bytes` as an object of `type`, hashed as Git names it.
    static func object(_ type: git_object_t, _ bytes: [UInt8]) throws(TransportError) -> NewObject {
        var oid = git_oid()
        let result = bytes.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, $0.count, type) }
        try LibGit2.check(result, "hash an object of \(bytes.count) bytes")
        return NewObject(type: type, bytes: bytes, oid: oid)
    }
}

extension git_object_t {
    static let blob = GIT_OBJECT_BLOB
    static let tree = GIT_OBJECT_TREE
}
