import Foundation
import Giter

/// The reads of `RepositoryReader` with the `git` executable, once for both
/// ``GitCLITransport`` (over its mirror) and ``GitCLIRepository`` (a
/// repository on the server): objects through the long-lived
/// `git cat-file --batch` of ``CatFileBatch``; diffs and linear runs of
/// commits computed from objects read there, with `git diff-tree` and
/// `git rev-list` where those cannot answer; listings one process each.
/// Which repository and which object folders are read is the runner's
/// environment.
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
        try Self.contents(of: try await objects.read(id.hex), id: id)
    }

    /// The blobs `ids` names, 64 to a round trip of `cat-file`.
    func blobs(_ ids: [ObjectID]) async throws -> [[UInt8]] {
        let found = try await objects.readAll(ids.map(\.hex))
        // `readAll` stops at the first object it does not find.
        return try ids.indices.map { try Self.contents(of: $0 < found.count ? found[$0] : nil, id: ids[$0]) }
    }

    /// A blob's bytes; throws when `object` (read for `id`) is missing or not a blob.
    private static func contents(of object: CatFileBatch.Object?, id: ObjectID) throws(TransportError) -> [UInt8] {
        guard let object else { throw TransportError(.objectNotFound, "the repository has no object \(id)") }
        guard object.type == "blob" else {
            throw TransportError(.invalidArgument, "\(id) is a \(object.type), not a blob")
        }
        return object.contents
    }

    func changes(from old: ObjectID?, to new: ObjectID, under prefix: String?) async throws -> [PathChange] {
        let folder = try Self.folder(prefix)
        var changes: [PathChange]
        if let inProcess = try await changesInProcess(from: old, to: new, under: folder) {
            changes = inProcess
        } else {
            let base = old?.hex ?? Self.emptyTree(like: new)
            var arguments = [
                "diff-tree", "-r", "-z", "--no-renames", "--raw", "--full-index", "--no-ext-diff", base, new.hex,
            ]
            if let folder { arguments += ["--", folder] }
            let result = try await runner.check(arguments)
            changes = try GitOutput.pathChanges(result.standardOutput).filter { GitOutput.path($0.path, isUnder: folder) }
        }
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

    /// The most commits ``commits(from:excluding:limit:)`` follows through
    /// `cat-file` before it asks `git rev-list`.
    static let linearWalkLimit = 64

    func commits(from new: ObjectID, excluding old: ObjectID?, limit: Int?) async throws -> [CommitInfo] {
        if let old, let linear = try await linearCommits(from: new, to: old) {
            return limit.map { Array(linear.prefix(max($0, 0))) } ?? linear
        }
        var arguments = ["rev-list", "--topo-order"]
        if let limit {
            guard limit > 0 else { return [] }
            arguments.append("--max-count=\(limit)")
        }
        arguments.append(new.hex)
        if let old { arguments.append("^" + old.hex) }
        arguments.append("--")
        let result = try await runner.check(arguments)
        var commits: [CommitInfo] = []
        for line in String(decoding: result.standardOutput, as: UTF8.self).split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard let id = ObjectID(hex: text) else {
                throw TransportError(.backend, "git rev-list printed '\(text)' instead of a commit id")
            }
            guard let object = try await objects.read(id.hex), object.type == "commit" else {
                throw TransportError(.objectNotFound, "the repository has no commit \(id)")
            }
            commits.append(try GitOutput.commit(id: id, raw: object.contents))
        }
        return commits
    }

    /// The commits from `new` back to `old` along single parents, newest
    /// first, read through the long-lived `cat-file` (no process), when
    /// that run reaches `old` within ``linearWalkLimit`` commits and every
    /// commit on it has exactly one parent: each is then a strict
    /// descendant of `old`, so the run is exactly what
    /// `git rev-list --topo-order new ^old` lists, in its order. `nil`
    /// otherwise (a merge, a root, a longer run, a missing object): the
    /// caller asks `rev-list`.
    private func linearCommits(from new: ObjectID, to old: ObjectID) async throws -> [CommitInfo]? {
        var run: [CommitInfo] = []
        var next = new
        while next != old {
            guard run.count < Self.linearWalkLimit, let object = try await objects.read(next.hex),
                object.type == "commit"
            else { return nil }
            let commit = try GitOutput.commit(id: next, raw: object.contents)
            guard commit.parents.count == 1 else { return nil }
            run.append(commit)
            next = commit.parents[0]
        }
        return run
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
