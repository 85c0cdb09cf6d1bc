import Giter

extension GitObjectReader {
    /// The most trees ``changesInProcess(from:to:under:)`` reads before it
    /// leaves the diff to `git diff-tree`.
    static let treeDiffLimit = 4_096

    /// What `git diff-tree -r --raw --no-renames old new -- prefix` lists,
    /// computed from trees read through the long-lived `cat-file` (no
    /// process), the way Git's tree diff does it: entries are compared by
    /// id and canonical mode (`canon_mode`: a regular file is 100644 or
    /// 100755, whatever other permission bits it has), a folder on one side
    /// and a file on the other is a deletion and an addition, a file that
    /// became a link or a gitlink is one change, and folders that are
    /// equal by id are not opened.
    ///
    /// `nil` when `git diff-tree` should answer instead: a tree that is
    /// missing or does not parse, a tree with two entries of one name, a
    /// mode Git would not write, or more than ``treeDiffLimit`` trees read.
    /// Unsorted; paths not validated (the caller does both).
    func changesInProcess(from old: ObjectID?, to new: ObjectID, under folder: String?) async throws -> [PathChange]? {
        var walk = TreeDiffWalk(objects: objects, idLength: new.hex.utf8.count / 2)
        guard let newRoot = try await walk.rootTree(of: new) else { return nil }
        let oldRoot: String?
        if let old {
            guard let root = try await walk.rootTree(of: old) else { return nil }
            oldRoot = root
        } else {
            oldRoot = nil
        }
        var oldTree = oldRoot
        var newTree: String? = newRoot
        var prefix = ""
        if let folder {
            // Down to the folder on both sides; a file (or nothing) there is no folder.
            for name in folder.split(separator: "/").map(String.init) {
                guard let oldFolder = try await walk.subtree(oldTree, named: name),
                    let newFolder = try await walk.subtree(newTree, named: name)
                else { return nil }
                oldTree = oldFolder
                newTree = newFolder
                prefix += name + "/"
            }
        }
        guard try await walk.compare(oldTree, newTree, prefix: prefix) else { return nil }
        return walk.changes
    }
}

/// One in-process tree diff: the trees read so far and the changes found.
private struct TreeDiffWalk {
    let objects: CatFileBatch
    let idLength: Int
    var changes: [PathChange] = []
    var treesRead = 0

    init(objects: CatFileBatch, idLength: Int) {
        self.objects = objects
        self.idLength = idLength
    }

    /// The root tree id of `commit`, nil when it cannot be read here.
    func rootTree(of commit: ObjectID) async throws -> String? {
        guard let object = try await objects.read(commit.hex), object.type == "commit" else { return nil }
        let header = object.contents.prefix(while: { $0 != 0x0A })
        guard header.starts(with: Array("tree ".utf8)) else { return nil }
        return ObjectID(hex: String(decoding: header.dropFirst(5), as: UTF8.self))?.hex
    }

    /// The folder `name` of `tree`: `.some(nil)` when `tree` is nil or has
    /// no folder of that name; `nil` when the tree cannot be used here.
    mutating func subtree(_ tree: String?, named name: String) async throws -> String?? {
        guard let tree else { return .some(nil) }
        guard let entries = try await entries(of: tree) else { return nil }
        guard let entry = entries[name], entry.mode == .tree else { return .some(nil) }
        return .some(entry.id.hex)
    }

    /// Adds the changes between `old` and `new` (either may be absent) under `prefix`; false to give up.
    ///
    /// Breadth first: the trees of one depth are read together, up to 64
    /// per `cat-file` round trip, not one round trip per folder (a commit
    /// of 100 resources changes about 100 bucket folders).
    mutating func compare(_ old: String?, _ new: String?, prefix: String) async throws -> Bool {
        var level: [(old: String?, new: String?, prefix: String)] = [(old, new, prefix)]
        while !level.isEmpty {
            level.removeAll { $0.old == $0.new }
            var wanted: [String] = []
            var seen: Set<String> = []
            for pair in level {
                for tree in [pair.old, pair.new].compactMap({ $0 }) where seen.insert(tree).inserted {
                    wanted.append(tree)
                }
            }
            guard let read = try await entries(of: wanted) else { return false }
            var next: [(old: String?, new: String?, prefix: String)] = []
            for (old, new, prefix) in level {
                let before = old.flatMap { read[$0] } ?? [:]
                let after = new.flatMap { read[$0] } ?? [:]
                for name in Set(before.keys).union(after.keys) {
                    let previous = before[name]
                    let following = after[name]
                    if previous == following { continue }
                    let path = prefix + name
                    let oldFolder = previous?.mode == .tree ? previous : nil
                    let newFolder = following?.mode == .tree ? following : nil
                    let oldFile = previous?.mode == .tree ? nil : previous
                    let newFile = following?.mode == .tree ? nil : following
                    if oldFolder != nil || newFolder != nil {
                        next.append((oldFolder?.id.hex, newFolder?.id.hex, path + "/"))
                    }
                    if oldFile != nil || newFile != nil {
                        changes.append(
                            PathChange(
                                path: path, oldID: oldFile?.id, oldMode: oldFile?.mode, newID: newFile?.id,
                                newMode: newFile?.mode))
                    }
                }
            }
            level = next
        }
        return true
    }

    struct Entry: Equatable {
        var mode: FileMode
        var id: ObjectID
    }

    /// The entries of `tree` by name, modes canonical; nil when the tree
    /// cannot be used here (see ``GitObjectReader/changesInProcess(from:to:under:)``).
    private mutating func entries(of tree: String) async throws -> [String: Entry]? {
        try await entries(of: [tree])?[tree]
    }

    /// The entries of each of `trees` (distinct ids), read 64 per round
    /// trip: tree id → entries by name; nil when one cannot be used here.
    private mutating func entries(of trees: [String]) async throws -> [String: [String: Entry]]? {
        var result: [String: [String: Entry]] = [:]
        for start in stride(from: 0, to: trees.count, by: 64) {
            let chunk = Array(trees[start..<min(trees.count, start + 64)])
            treesRead += chunk.count
            guard treesRead <= GitObjectReader.treeDiffLimit else { return nil }
            for (tree, object) in zip(chunk, try await objects.read(chunk)) {
                guard let object, object.type == "tree",
                    let raw = try? GitOutput.rawTreeEntries(object.contents, idLength: idLength)
                else { return nil }
                var entries: [String: Entry] = [:]
                entries.reserveCapacity(raw.count)
                for entry in raw {
                    guard let mode = Self.canonical(entry.mode), let id = ObjectID(hex: entry.id),
                        entries.updateValue(Entry(mode: mode, id: id), forKey: entry.name) == nil
                    else { return nil }
                }
                result[tree] = entries
            }
        }
        return result
    }

    /// Git's `canon_mode` of a mode as a tree stores it; nil for a mode
    /// that is none of a folder, a file, a link or a gitlink.
    static func canonical(_ text: String) -> FileMode? {
        guard let value = UInt32(text, radix: 8) else { return nil }
        switch value & 0o170000 {
        case 0o040000: return .tree
        case 0o100000: return value & 0o100 != 0 ? .executable : .regular
        case 0o120000: return .symlink
        case 0o160000: return .gitlink
        default: return nil
        }
    }
}
