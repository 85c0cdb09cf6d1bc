import Foundation
import Giter

/// The reads of `RepositoryReader` with the `git` executable, once for both
/// ``GitCLITransport`` (over its mirror) and ``GitCLIRepository`` (a
/// repository on the server): objects through the long-lived
/// `git cat-file --batch` of ``CatFileBatch`` (diffs too, tree by tree),
/// listings one process each. Which repository and which object folders are read is the
/// runner's environment.
struct GitObjectReader: Sendable {
    let runner: GitRunner
    let objects: CatFileBatch

    func resolve(_ reference: String) async throws -> ObjectID? {
        try Self.checkReference(reference, allowingIDs: true)
        // Through the long-lived cat-file process: it reads refs from disk on
        // every lookup and rescans packs when an object is new.
        guard let object = try await objects.read(reference + "^{commit}") else { return nil }
        guard object.type == "commit" else {
            throw TransportError(.backend, "\(reference) peeled to a \(object.type), not a commit")
        }
        return object.id
    }

    func treeEntries(at commit: ObjectID, under prefix: String?) async throws -> [TreeEntry] {
        let folder = try Self.folder(prefix)
        var arguments = ["ls-tree", "-r", "-z", "--full-tree", commit.hex]
        if let folder { arguments += ["--", folder] }
        let result = try await runner.check(arguments)
        var entries = try GitOutput.treeEntries(result.standardOutput).filter { GitOutput.path($0.path, isUnder: folder) }
        for entry in entries { try RepositoryPath.validate(entry) }
        entries.sort { GitOutput.byPath($0.path, $1.path) }
        return entries
    }

    func blob(_ id: ObjectID) async throws -> [UInt8] {
        guard let object = try await objects.read(id.hex) else {
            throw TransportError(.objectNotFound, "the repository has no object \(id)")
        }
        guard object.type == "blob" else {
            throw TransportError(.invalidArgument, "\(id) is a \(object.type), not a blob")
        }
        return object.contents
    }

    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        let folder = try Self.folder(prefix)
        // Through cat-file unless the folder's name cannot be asked for there (it holds whitespace).
        if !(folder?.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) ?? false) {
            return try await treeChanges(from: old, to: new, under: folder)
        }
        let base = old?.hex ?? Self.emptyTree(like: new)
        var arguments = ["diff-tree", "-r", "-z", "--no-renames", "--raw", "--full-index", "--no-ext-diff", base, new.hex]
        if let folder { arguments += ["--", folder] }
        let result = try await runner.check(arguments)
        var changes = try GitOutput.pathChanges(result.standardOutput).filter { GitOutput.path($0.path, isUnder: folder) }
        for change in changes {
            if let mode = change.oldMode, let id = change.oldID {
                try RepositoryPath.validate(TreeEntry(path: change.path, mode: mode, id: id))
            }
            if let mode = change.newMode, let id = change.newID {
                try RepositoryPath.validate(TreeEntry(path: change.path, mode: mode, id: id))
            }
        }
        changes.sort { GitOutput.byPath($0.path, $1.path) }
        return changes
    }

    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        var arguments = ["rev-list", "--topo-order"]
        if let limit {
            guard limit > 0 else { return [] }
            arguments.append("--max-count=\(limit)")
        }
        arguments.append(new.hex)
        if let old { arguments.append("^" + old.hex) }
        arguments.append("--")
        let result = try await runner.check(arguments)
        var ids: [ObjectID] = []
        for line in String(decoding: result.standardOutput, as: UTF8.self).split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard let id = ObjectID(hex: text) else {
                throw TransportError(.backend, "git rev-list printed '\(text)' instead of a commit id")
            }
            ids.append(id)
        }
        // 64 commits per round trip to cat-file: a long history costs one read per 64 commits, not per commit.
        var commits: [CommitInfo] = []
        commits.reserveCapacity(ids.count)
        for start in stride(from: 0, to: ids.count, by: 64) {
            let chunk = ids[start..<min(start + 64, ids.count)]
            for (id, object) in zip(chunk, try await objects.read(chunk.map(\.hex))) {
                guard let object, object.type == "commit" else {
                    throw TransportError(.objectNotFound, "the repository has no commit \(id)")
                }
                commits.append(try GitOutput.commit(id: id, raw: object.contents))
            }
        }
        return commits
    }

    func commitObject(_ id: ObjectID) async throws -> CommitObject {
        guard let object = try await objects.read(id.hex) else {
            throw TransportError(.objectNotFound, "the repository has no object \(id)")
        }
        guard object.type == "commit" else {
            throw TransportError(.invalidArgument, "\(id) is a \(object.type), not a commit")
        }
        do {
            return try CommitObject(bytes: object.contents)
        } catch {
            throw TransportError(.backend, "commit \(id) cannot be read: \(error.message)", underlying: error)
        }
    }

    static func checkReference(_ reference: String, allowingIDs: Bool) throws(TransportError) {
        if allowingIDs, ObjectID(hex: reference) != nil { return }
        let valid =
            reference.hasPrefix("refs/") && !reference.hasSuffix("/") && !reference.hasSuffix(".lock")
            && !reference.contains("..") && !reference.contains("//") && !reference.contains("@{")
            && !reference.unicodeScalars.contains(where: {
                $0.value <= 0x20 || $0.value == 0x7F || "~^:?*[\\".unicodeScalars.contains($0)
            })
        guard valid else {
            throw TransportError(
                .invalidArgument,
                "'\(reference)' is not a full ref name (refs/…)\(allowingIDs ? " or an object id" : "")")
        }
    }

    /// The prefix as a folder path without a trailing slash, validated; `nil` for the whole tree.
    static func folder(_ prefix: String?) throws(TransportError) -> String? {
        guard var folder = prefix else { return nil }
        while folder.hasSuffix("/") { folder.removeLast() }
        if folder.isEmpty { return nil }
        try RepositoryPath.validate(folder)
        return folder
    }

    /// The id of the empty tree in the hash function of `id`.
    static func emptyTree(like id: ObjectID) -> String {
        id.hex.utf8.count == 64
            ? "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321"
            : "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    }
}
