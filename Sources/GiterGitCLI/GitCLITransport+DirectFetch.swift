import Foundation
import Giter
import GiterLocalGit
import Synchronization

extension GitCLITransport {
    /// The most commits a direct fetch copies; a longer history goes through `git fetch`.
    static let directFetchCommitLimit = 128
    /// The most objects a direct fetch copies; more go through `git fetch`.
    static let directFetchObjectLimit = 20_000
    /// How many blobs a direct fetch reads before it writes them.
    static let directFetchBlobChunk = 64

    /// Copies the commits from the remote's `tip` back to the mirror's
    /// `tracked` commit into the mirror without `git fetch` (no
    /// upload-pack, pack-objects or unpack-objects process), when they
    /// are a linear run of at most ``directFetchCommitLimit`` commits:
    ///
    /// 1. the remote's objects are read through a long-lived
    ///    `git cat-file --batch` run in the remote (``RemoteObjectReader``);
    ///    its commits are followed along single parents from `tip` to
    ///    `tracked`;
    /// 2. for each commit, the trees and blobs that differ from its
    ///    parent's (and are not loose objects of the mirror already) are
    ///    read and written into the mirror through the long-lived
    ///    `git hash-object -w` processes, blobs first (a chunk of
    ///    ``directFetchBlobChunk`` read, then written), then trees (each
    ///    after those it holds), then the commits, oldest first; each id
    ///    git computes from the bytes must be the id the remote gave them,
    ///    so nothing the remote holds under a wrong name gets in. When
    ///    there are at least 100 of them (``ObjectCopyRoute``), they are
    ///    written instead as one pack, named and checked the same way, by
    ///    ``PackFileWriter`` (no process, no scratch file per object).
    ///
    /// Returns false, having moved no ref, when the fetch must go through
    /// `git fetch`: a merge, a root or a longer run on the way, more than
    /// ``directFetchObjectLimit`` objects, an object missing or not what
    /// its name says, or anything failing. Objects written before that stay
    /// in the mirror, complete and unreferenced (as after an interrupted
    /// `git fetch`). The caller moves the tracking ref.
    func copyCommits(from remote: LocalRepository, tip: ObjectID, tracked: ObjectID) async -> Bool {
        do {
            let reader = remoteObjects.reader(for: remote, runner: runner)
            var commits: [CatFileBatch.Object] = []
            var next = tip
            while next != tracked {
                guard commits.count < Self.directFetchCommitLimit,
                    let object = try await reader.read(next.hex), object.type == "commit"
                else { return false }
                let parents = try GitOutput.commit(id: next, raw: object.contents).parents
                guard parents.count == 1 else { return false }
                commits.append(object)
                next = parents[0]
            }
            var plan = CopyPlan(mirror: LocalRepository(folder: runner.mirrorPath))
            var parentTree = try await Self.tree(of: tracked, reader: reader)
            for commit in commits.reversed() {
                let tree = try Self.treeID(in: commit)
                try await plan.add(tree: tree, replacing: parentTree, reader: reader)
                plan.commits.append(commit)
                parentTree = tree
                guard plan.count <= Self.directFetchObjectLimit else { return false }
            }
            if let packed = try await packCopy(plan, reader: reader) { return packed }
            // Read and written a chunk at a time: memory holds one chunk of the remote's blobs, never all.
            for start in stride(from: 0, to: plan.blobs.count, by: Self.directFetchBlobChunk) {
                let chunk = Array(plan.blobs[start..<min(plan.blobs.count, start + Self.directFetchBlobChunk)])
                let blobs = try await reader.readAll(chunk)
                guard blobs.count == chunk.count, try await write(blobs, with: blobWriter) else { return false }
            }
            guard try await write(plan.trees, with: fetchedTreeWriter) else { return false }
            return try await write(plan.commits, with: commitWriter)
        } catch {
            return false
        }
    }

    /// Writes the objects of `plan` into the mirror as one pack
    /// (``PackFileWriter``) when ``ObjectCopyRoute`` says so (at least
    /// `receive.unpackLimit`'s default of them, fewer than 50 packs in the
    /// mirror) and they have SHA-1 names: true once it is in place, false
    /// when an object is missing or not what its name says (the pack is
    /// then dropped), nil when the route is loose objects.
    private func packCopy(_ plan: CopyPlan, reader: CatFileBatch) async throws -> Bool? {
        let mirror = plan.mirror
        let count = plan.blobs.count + plan.trees.count + plan.commits.count
        guard ObjectCopyRoute.route(objectCount: count, unpackLimit: ReceivePolicy.defaultUnpackLimit, into: mirror) == .pack,
            plan.commits.allSatisfy({ $0.id.hex.utf8.count == 40 })
        else { return nil }
        let writer = try PackFileWriter(into: mirror, objectCount: count)
        func append(_ object: CatFileBatch.Object, as type: PackObjectType) throws(TransportError) -> Bool {
            try writer.append(type, object.contents) == object.id
        }
        for start in stride(from: 0, to: plan.blobs.count, by: Self.directFetchBlobChunk) {
            let chunk = Array(plan.blobs[start..<min(plan.blobs.count, start + Self.directFetchBlobChunk)])
            let blobs = try await reader.readAll(chunk)
            guard blobs.count == chunk.count else { return false }
            for blob in blobs {
                guard blob.type == "blob", try append(blob, as: .blob) else { return false }
            }
        }
        for tree in plan.trees {
            guard try append(tree, as: .tree) else { return false }
        }
        for commit in plan.commits {
            guard try append(commit, as: .commit) else { return false }
        }
        try writer.finish(durably: false)
        return true
    }

    /// Writes `objects` through `writer` (a `git hash-object -w -t <type> --stdin-paths`);
    /// false when git names one of them differently than the remote did.
    private func write(_ objects: [CatFileBatch.Object], with writer: GitCoprocess) async throws -> Bool {
        guard !objects.isEmpty else { return true }
        let scratch = try TemporaryFolder()
        defer { scratch.remove() }
        // Batches small enough that the replies fit in the pipe while the paths are written.
        for start in stride(from: 0, to: objects.count, by: 512) {
            let batch = objects[start..<min(objects.count, start + 512)]
            var list: [UInt8] = []
            for (offset, object) in zip(batch.indices, batch) {
                let file = try scratch.write(object.contents, named: "object-\(offset)")
                list += Array(file.utf8) + [0x0A]
            }
            let ids = try await writer.request(list, lines: batch.count)
            for (object, id) in zip(batch, ids) where id != object.id.hex { return false }
        }
        return true
    }

    private static func tree(of commit: ObjectID, reader: CatFileBatch) async throws -> String {
        guard let object = try await reader.read(commit.hex), object.type == "commit" else {
            throw TransportError(.objectNotFound, "the remote has no commit \(commit)")
        }
        return try treeID(in: object)
    }

    private static func treeID(in commit: CatFileBatch.Object) throws(TransportError) -> String {
        let header = commit.contents.prefix(while: { $0 != 0x0A })
        guard header.starts(with: Array("tree ".utf8)), let id = ObjectID(hex: String(decoding: header.dropFirst(5), as: UTF8.self)) else {
            throw TransportError(.backend, "commit \(commit.id) does not start with its tree")
        }
        return id.hex
    }
}

/// The objects a direct fetch writes into the mirror, by kind, in the
/// order they are written.
private struct CopyPlan {
    let mirror: LocalRepository
    /// Blob ids to read and write.
    var blobs: [String] = []
    /// Trees, each after the trees it holds.
    var trees: [CatFileBatch.Object] = []
    var commits: [CatFileBatch.Object] = []
    private var seen: Set<String> = []

    init(mirror: LocalRepository) {
        self.mirror = mirror
    }

    /// Set once the plan holds more than ``GitCLITransport/directFetchObjectLimit`` objects.
    private var exceeded = false

    /// How many objects the plan writes; `Int.max` once past the limit (the plan is then incomplete).
    var count: Int { exceeded ? Int.max : blobs.count + trees.count + commits.count }

    /// Adds `tree` and what it holds that `old` (the same folder in the
    /// parent commit) does not, skipping what the mirror has as loose objects.
    ///
    /// Breadth first: the trees of one depth (and their counterparts in
    /// `old`) are read together, 64 per `cat-file` round trip, not two
    /// round trips per folder; the trees are then planned deepest level
    /// first, so each comes after the trees it holds.
    mutating func add(tree: String, replacing old: String?, reader: CatFileBatch) async throws {
        var level: [(tree: String, old: String?)] = []
        if tree != old, isNew(tree) { level.append((tree, old)) }
        var levels: [[CatFileBatch.Object]] = []
        var planned = blobs.count + trees.count + commits.count
        while !level.isEmpty {
            var names: [String] = []
            var asked: Set<String> = []
            for pair in level {
                for name in [pair.tree, pair.old].compactMap({ $0 }) where asked.insert(name).inserted { names.append(name) }
            }
            var read: [String: CatFileBatch.Object] = [:]
            for start in stride(from: 0, to: names.count, by: 64) {
                let chunk = Array(names[start..<min(names.count, start + 64)])
                for (name, object) in zip(chunk, try await reader.read(chunk)) { read[name] = object }
            }
            var next: [(tree: String, old: String?)] = []
            var written: [CatFileBatch.Object] = []
            for (tree, old) in level {
                guard let object = read[tree], object.type == "tree" else {
                    throw TransportError(.objectNotFound, "the remote has no tree \(tree)")
                }
                let idLength = tree.utf8.count / 2
                var before: [String: GitOutput.RawTreeEntry] = [:]
                if let old, let oldObject = read[old], oldObject.type == "tree" {
                    for entry in try GitOutput.rawTreeEntries(oldObject.contents, idLength: idLength) {
                        before[entry.name] = entry
                    }
                }
                for entry in try GitOutput.rawTreeEntries(object.contents, idLength: idLength) {
                    let previous = before[entry.name]
                    if previous?.id == entry.id { continue }
                    switch entry.type {
                    case "tree":
                        if isNew(entry.id) {
                            next.append((entry.id, previous?.isTree == true ? previous?.id : nil))
                            planned += 1
                        }
                    case "blob":
                        if isNew(entry.id) {
                            blobs.append(entry.id)
                            planned += 1
                        }
                    default:
                        // A gitlink names a commit of another repository: nothing to copy.
                        continue
                    }
                    if planned > GitCLITransport.directFetchObjectLimit {
                        exceeded = true
                        return
                    }
                }
                written.append(object)
            }
            levels.append(written)
            level = next
        }
        for level in levels.reversed() { trees += level }
    }

    /// Whether `id` is not planned yet and not a loose object of the mirror.
    private mutating func isNew(_ id: String) -> Bool {
        guard let objectID = ObjectID(hex: id), !Platform.exists(mirror.looseObjectPath(objectID)) else { return false }
        return seen.insert(id).inserted
    }
}

/// The long-lived `git cat-file --batch` a transport reads a repository
/// on this machine with for direct fetches, started on first use and
/// replaced when the remote's folder changes.
final class RemoteObjectReader: Sendable {
    private let current = Mutex<(folder: String, reader: CatFileBatch)?>(nil)

    func reader(for remote: LocalRepository, runner: GitRunner) -> CatFileBatch {
        current.withLock { current in
            if let current, current.folder == remote.folder { return current.reader }
            let reader = CatFileBatch(runner: runner.reading(repository: remote.folder))
            current = (remote.folder, reader)
            return reader
        }
    }
}
