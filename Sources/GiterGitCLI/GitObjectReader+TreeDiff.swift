import Giter

extension GitObjectReader {
    /// The files that differ between the trees of `old` (absent: the empty
    /// tree) and `new` under `folder`, read through the long-lived
    /// `git cat-file --batch` instead of a `git diff-tree` process: the walk
    /// descends only into subtrees whose ids differ, and reads each level's
    /// trees in one round trip (64 at most). A one-file change in a fanned-out
    /// exchange reads a handful of trees, where a process costs 1–2 ms
    /// before it reads anything; what `git diff-tree -r --no-renames` would
    /// list, in the same order.
    func treeChanges(from old: ObjectID?, to new: ObjectID, under folder: String?) async throws -> [PathChange] {
        let idLength = new.hex.utf8.count / 2
        let commits = [old, new].compactMap { $0 }
        let trees = try await objects.read(commits.map { $0.hex + "^{tree}" })
        var roots: [String?] = []
        for (commit, tree) in zip(commits, trees) {
            guard let tree, tree.type == "tree" else {
                throw TransportError(.objectNotFound, "the repository has no commit \(commit)")
            }
            roots.append(tree.id.hex)
        }
        if old == nil { roots.insert(nil, at: 0) }
        if let folder {
            // A folder that is missing, or is not a tree, holds no files.
            let names = roots.map { $0.map { $0 + ":" + folder } }
            let found = try await objects.read(names.compactMap { $0 })
            var next = found.makeIterator()
            roots = names.map { name in
                guard name != nil, let object = next.next() ?? nil, object.type == "tree" else { return nil }
                return object.id.hex
            }
        }
        var result: [PathChange] = []
        var level: [(old: String?, new: String?, path: String)] = [(roots[0], roots[1], folder ?? "")]
        while !level.isEmpty {
            var wanted: [String] = []
            for pair in level {
                if let id = pair.old { wanted.append(id) }
                if let id = pair.new { wanted.append(id) }
            }
            var entries: [String: [GitOutput.RawTreeEntry]] = [:]
            let unique = Array(Set(wanted))
            for start in stride(from: 0, to: unique.count, by: 64) {
                let names = Array(unique[start..<min(start + 64, unique.count)])
                for (name, object) in zip(names, try await objects.read(names)) {
                    guard let object, object.type == "tree" else {
                        throw TransportError(.objectNotFound, "the repository has no tree \(name)")
                    }
                    entries[name] = try GitOutput.rawTreeEntries(object.contents, idLength: idLength)
                }
            }
            var next: [(old: String?, new: String?, path: String)] = []
            for pair in level where pair.old != pair.new {
                var oldByName: [String: GitOutput.RawTreeEntry] = [:]
                for entry in pair.old.flatMap({ entries[$0] }) ?? [] { oldByName[entry.name] = entry }
                for entry in pair.new.flatMap({ entries[$0] }) ?? [] {
                    let path = pair.path.isEmpty ? entry.name : pair.path + "/" + entry.name
                    let before = oldByName.removeValue(forKey: entry.name)
                    if let before, before.id == entry.id, before.mode == entry.mode { continue }
                    let oldTree = before.flatMap { $0.isTree ? $0.id : nil }
                    let oldFile = before.flatMap { $0.isTree ? nil : $0 }
                    if entry.isTree {
                        next.append((oldTree, entry.id, path))
                        if let oldFile { result.append(try Self.change(path, old: oldFile, new: nil)) }
                    } else {
                        if let oldTree { next.append((oldTree, nil, path)) }
                        result.append(try Self.change(path, old: oldFile, new: entry))
                    }
                }
                for entry in oldByName.values {
                    let path = pair.path.isEmpty ? entry.name : pair.path + "/" + entry.name
                    if entry.isTree {
                        next.append((entry.id, nil, path))
                    } else {
                        result.append(try Self.change(path, old: entry, new: nil))
                    }
                }
            }
            level = next
        }
        result.sort { GitOutput.byPath($0.path, $1.path) }
        return result
    }

    private static func change(_ path: String, old: GitOutput.RawTreeEntry?, new: GitOutput.RawTreeEntry?) throws -> PathChange {
        func side(_ entry: GitOutput.RawTreeEntry?) throws -> (id: ObjectID, mode: FileMode)? {
            guard let entry else { return nil }
            guard let id = ObjectID(hex: entry.id), let mode = GitOutput.mode(entry.mode) else {
                throw TransportError(.backend, "a tree in the mirror holds an unreadable entry at '\(path)'")
            }
            try RepositoryPath.validate(TreeEntry(path: path, mode: mode, id: id))
            return (id, mode)
        }
        let before = try side(old)
        let after = try side(new)
        return PathChange(path: path, oldID: before?.id, oldMode: before?.mode, newID: after?.id, newMode: after?.mode)
    }
}
