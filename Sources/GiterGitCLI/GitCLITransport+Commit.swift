import Foundation
public import Giter
import GiterLocalGit

extension GitCLITransport {
    /// Writes a commit with long-lived plumbing processes and no index or
    /// working tree: blobs through `git hash-object -w --stdin-paths`, the
    /// folders on edited paths read through `git cat-file --batch` and
    /// rewritten through `git mktree -z --batch` (every other subtree is
    /// reused by id), and the commit object through
    /// `git hash-object -w -t commit --stdin-paths`. Once those processes
    /// run, a commit starts none. That is the way of a first commit (no
    /// parent) and of a SHA-256 mirror. A commit on a SHA-1 parent makes
    /// its blobs, trees and commit object in Swift instead
    /// (``PackedCommitObjects``): with at least 100 files and folders the
    /// blobs and trees are written as one pack, which a direct push then
    /// copies into the remote as it is; with fewer, as loose object files,
    /// as `git hash-object -w` would write them; the commit object always
    /// loose. Only the parent's trees are read, through `git cat-file`.
    ///
    /// The edits are grouped and checked by ``TreeEditPlan`` before anything
    /// is written: unsafe paths and conflicting edits (two edits of one
    /// path, or of a path and a path below it) are refused, and the plan's
    /// rules for applying edits to the parent's tree hold.
    ///
    /// The commit's text is ``CommitObject/encode(tree:parents:author:committer:message:)``;
    /// a `signer` signs that text and the signed object
    /// (``CommitObject/signing(_:with:)``) is what gets written.
    public func createCommit(_ request: CommitRequest, signer: (any CommitSigner)?) async throws -> ObjectID {
        let plan = try TreeEditPlan(request.edits)
        let author = try Self.checkedIdentity(request.author, role: "author")
        let committer = try Self.checkedIdentity(request.committer, role: "committer")

        let mirror = LocalRepository(folder: runner.mirrorPath)
        // Made here, in Swift (see ``PackedCommitObjects``): written as one pack when there are many, else as
        // loose objects. Without a SHA-1 parent, through git's plumbing processes.
        var packed = PackedCommitObjects.canMake(parent: request.parent) ? PackedCommitObjects() : nil
        let asPack = packed != nil && PackedCommitObjects.worthAPack(for: plan, mirror: mirror)
        let scratch = packed == nil ? try TemporaryFolder() : nil
        defer { scratch?.remove() }
        // Reading the parent's tree and writing the blobs are independent: side by side.
        async let parentTree = treeOf(commit: request.parent)
        let blobs: [String: String]
        if let scratch {
            blobs = try await writeBlobs(of: plan, in: scratch)
        } else {
            blobs = packed!.addBlobs(of: plan)
        }
        let bases = try await readFolders(of: plan, under: try await parentTree)

        var written = packed == nil ? blobs.values.sorted() : []
        let tree: String
        if let root = try await writeFolders(of: plan, onto: bases, blobs: blobs, written: &written, packed: &packed) {
            tree = root
        } else if packed != nil {
            tree = try packed!.addTree([])
        } else {
            tree = try await treeWriter.request([0], lines: 1)[0]  // the empty tree
        }
        let deflater = packed == nil ? nil : try Deflater()
        var pack: String?
        if let packed, let deflater {
            if asPack {
                // In the pack, not loose: a direct push copies the pack.
                pack = try packed.write(into: mirror)
                written = []
            } else {
                // Every object made here (the trees `writeFolders` listed are among them).
                written = try packed.writeLoose(into: mirror, deflater: deflater)
            }
        }

        guard let treeID = ObjectID(hex: tree) else {
            throw TransportError(.backend, "git mktree printed '\(tree)' instead of a tree id")
        }
        var object = CommitObject.encode(
            tree: treeID, parents: request.parent.map { [$0] } ?? [], author: author, committer: committer,
            message: request.fullMessage)
        if let signer { object = try await CommitObject.signed(object, by: signer) }
        let id: ObjectID
        if let scratch {
            let file = try scratch.write(object, named: "commit")
            let reply = try await commitWriter.request(Array((file + "\n").utf8), lines: 1)[0]
            guard let written = ObjectID(hex: reply) else {
                throw TransportError(.backend, "git hash-object printed '\(reply)' instead of a commit id")
            }
            id = written
        } else {
            id = try mirror.writeLooseObject(.commit, object, deflater: deflater!)
        }
        written.append(id.hex)
        var packRecord: (name: String, objects: Int)?
        if let pack, let packed { packRecord = (pack, packed.count) }
        recentCommits.record(id, parent: request.parent, objects: written, pack: packRecord)
        return id
    }

    /// The root tree of `commit` (nil for none), read through `cat-file`.
    private func treeOf(commit: ObjectID?) async throws -> String? {
        guard let commit else { return nil }
        guard let object = try await objects.read(commit.hex), object.type == "commit" else {
            throw TransportError(.objectNotFound, "the mirror has no commit \(commit)")
        }
        let header = object.contents.prefix(while: { $0 != 0x0A })
        guard header.starts(with: Array("tree ".utf8)) else {
            throw TransportError(.backend, "commit \(commit) does not start with its tree")
        }
        return String(decoding: header.dropFirst(5), as: UTF8.self)
    }

    /// Writes the contents of every write in `plan` as a blob; returns path → blob id.
    private func writeBlobs(of plan: TreeEditPlan, in scratch: TemporaryFolder) async throws -> [String: String] {
        var writes: [(path: String, contents: [UInt8])] = []
        for folder in plan.folders {
            for file in folder.files {
                if case .write(let path, let contents) = file.edit { writes.append((path, contents)) }
            }
        }
        var result: [String: String] = [:]
        // Batches small enough that the replies fit in the pipe while the paths are written.
        for start in stride(from: 0, to: writes.count, by: 512) {
            let batch = writes[start..<min(writes.count, start + 512)]
            var list: [UInt8] = []
            for (offset, write) in zip(batch.indices, batch) {
                let file = try scratch.write(write.contents, named: "blob-\(offset)")
                list += Array(file.utf8) + [0x0A]
            }
            let ids = try await blobWriter.request(list, lines: batch.count)
            for (write, id) in zip(batch, ids) {
                guard ObjectID(hex: id) != nil else {
                    throw TransportError(.backend, "git hash-object printed '\(id)' instead of a blob id")
                }
                result[write.path] = id
            }
        }
        return result
    }

    /// A folder of the parent's tree: its id and entries.
    private struct Listing {
        var id: String
        var entries: [GitOutput.RawTreeEntry]
    }

    /// The parent's trees at the folders of `plan`, under the root tree
    /// `root` (nil: no parent): folder path → listing. Folders the parent
    /// does not have as trees are left out. Named folders are read by path
    /// together, a few round trips in all.
    private func readFolders(of plan: TreeEditPlan, under root: String?) async throws -> [String: Listing] {
        guard let root else { return [:] }
        // A path with spaces or control characters cannot be named on a
        // cat-file line; such folders are read by id through their parent below.
        let nameable = { (path: String) in !path.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) }
        let paths = plan.folders.map(\.path).filter(nameable)
        var result: [String: Listing] = [:]
        for start in stride(from: 0, to: paths.count, by: 64) {
            let batch = paths[start..<min(paths.count, start + 64)]
            let found = try await objects.read(batch.map { $0.isEmpty ? root : root + ":" + $0 })
            for (path, object) in zip(batch, found) {
                guard let object, object.type == "tree" else { continue }
                result[path] = try Listing(id: object.id.hex, entries: Self.entries(of: object))
            }
        }
        // Shallowest first, so that a folder's parent is read before it.
        for folder in plan.folders.reversed() {
            guard let listing = result[folder.path] else { continue }
            for name in folder.subfolders where !nameable(folder.path(of: name)) {
                guard let entry = listing.entries.first(where: { $0.name == name }), entry.isTree else { continue }
                guard let object = try await objects.read(entry.id), object.type == "tree" else {
                    throw TransportError(.objectNotFound, "the mirror has no tree \(entry.id)")
                }
                result[folder.path(of: name)] = try Listing(id: entry.id, entries: Self.entries(of: object))
            }
        }
        return result
    }

    private static func entries(of tree: CatFileBatch.Object) throws(TransportError) -> [GitOutput.RawTreeEntry] {
        try GitOutput.rawTreeEntries(tree.contents, idLength: tree.id.hex.utf8.count / 2)
    }

    /// Writes the folders of `plan`, deepest first, each on top of its
    /// listing in `bases`; returns the root's id, or nil when it ends up
    /// empty. Appends the ids of trees it wrote to `written`; with
    /// `packed`, makes them there instead, for one pack.
    ///
    /// Folders of one depth never hold one another, so the trees of a
    /// depth go to `git mktree --batch` in one request (at most
    /// ``treeBatch`` at a time), not one round trip each: a commit of 100
    /// resources writes about 100 bucket folders.
    private func writeFolders(
        of plan: TreeEditPlan, onto bases: [String: Listing], blobs: [String: String], written: inout [String],
        packed: inout PackedCommitObjects?
    ) async throws -> String? {
        /// Folder path → its new tree id, nil when it ends up empty.
        var results: [String: String?] = [:]
        var index = plan.folders.startIndex
        while index < plan.folders.endIndex {
            let depth = Self.depth(of: plan.folders[index].path)
            var level = index
            while level < plan.folders.endIndex, Self.depth(of: plan.folders[level].path) == depth { level += 1 }
            /// The folders of this depth to write, with their entries.
            var pending: [(folder: TreeEditPlan.Folder, entries: [String: GitOutput.RawTreeEntry])] = []
            for folder in plan.folders[index..<level] {
                let base = bases[folder.path]
                let (entries, changed) = try Self.entries(of: folder, onto: base, blobs: blobs, results: results)
                if !changed, let base {
                    results[folder.path] = .some(base.id)
                } else if entries.isEmpty {
                    results[folder.path] = .some(nil)
                } else {
                    pending.append((folder, entries))
                }
            }
            for start in stride(from: 0, to: pending.count, by: Self.treeBatch) {
                let batch = pending[start..<min(pending.count, start + Self.treeBatch)]
                let ids: [String]
                if packed != nil {
                    ids = try batch.map { (pending) throws(TransportError) in try packed!.addTree(pending.entries.values) }
                } else {
                    ids = try await writeTrees(batch.map { $0.entries.values })
                }
                for ((folder, _), id) in zip(batch, ids) {
                    if id != bases[folder.path]?.id { written.append(id) }
                    results[folder.path] = .some(id)
                }
            }
            index = level
        }
        return results[""] ?? nil
    }

    /// The most trees written in one `git mktree --batch` request: small
    /// enough that the replies fit in the pipe while the trees are written.
    static let treeBatch = 512

    /// How many folders `path` is below the root (0 for the root), as ``TreeEditPlan`` orders them.
    private static func depth(of path: String) -> Int {
        path.isEmpty ? 0 : path.utf8.count { $0 == UInt8(ascii: "/") } + 1
    }

    /// The entries of `folder` after its edits, on top of `base`, with its
    /// sub-folders' new trees from `results`; and whether anything changed.
    private static func entries(
        of folder: TreeEditPlan.Folder, onto base: Listing?, blobs: [String: String], results: [String: String?]
    ) throws(TransportError) -> ([String: GitOutput.RawTreeEntry], Bool) {
        var entries: [String: GitOutput.RawTreeEntry] = [:]
        for entry in base?.entries ?? [] { entries[entry.name] = entry }
        var changed = false
        for file in folder.files {
            switch file.edit {
            case .write(let path, _):
                guard let id = blobs[path] else { throw TransportError(.backend, "no blob was written for '\(path)'") }
                entries[file.name] = GitOutput.RawTreeEntry(mode: "100644", name: file.name, id: id)
                changed = true
            case .delete:
                // A delete removes a file, never a folder.
                if let existing = entries[file.name], !existing.isTree {
                    entries[file.name] = nil
                    changed = true
                }
            }
        }
        for name in folder.subfolders {
            let existing = entries[name]
            let childBase = existing?.isTree == true ? existing?.id : nil
            if case .some(.some(let id)) = results[folder.path(of: name)] {
                if id != childBase {
                    entries[name] = GitOutput.RawTreeEntry(mode: "40000", name: name, id: id)
                    changed = true
                }
            } else if childBase != nil {
                entries[name] = nil
                changed = true
            }
        }
        return (entries, changed)
    }

    /// Writes one tree per element of `trees` through `git mktree --batch`,
    /// in one request; returns their ids in order.
    private func writeTrees(_ trees: [some Sequence<GitOutput.RawTreeEntry>]) async throws -> [String] {
        guard !trees.isEmpty else { return [] }
        var input: [UInt8] = []
        for entries in trees {
            for entry in entries {
                input += Array("\(entry.mode) \(entry.type) \(entry.id)\t\(entry.name)".utf8) + [0]
            }
            input.append(0)
        }
        let ids = try await treeWriter.request(input, lines: trees.count)
        for id in ids where ObjectID(hex: id) == nil {
            throw TransportError(.backend, "git mktree printed '\(id)' instead of a tree id")
        }
        return ids
    }

    /// `signature` as its header line holds it (surrounding spaces dropped,
    /// as libgit2 does), refusing what git would silently mangle: `<`, `>`
    /// or a control character in the name or e-mail, an empty name, a date
    /// before 1970 or a time zone offset of 100 hours or more.
    static func checkedIdentity(_ signature: Signature, role: String) throws(TransportError) -> Signature {
        for (field, value) in [("name", signature.name), ("email", signature.email)] {
            if value.unicodeScalars.contains(where: { $0 == "<" || $0 == ">" || $0.value < 0x20 }) {
                throw TransportError(.invalidArgument, "the \(role) \(field) '\(value)' holds '<', '>' or a control character")
            }
        }
        var checked = signature
        checked.name = signature.name.trimmingCharacters(in: .whitespaces)
        checked.email = signature.email.trimmingCharacters(in: .whitespaces)
        if checked.name.isEmpty {
            throw TransportError(.invalidArgument, "the \(role) name is empty")
        }
        guard abs(signature.timeZoneOffsetMinutes) < 100 * 60, CommitObject.seconds(of: signature.date) >= 0 else {
            throw TransportError(.invalidArgument, "the \(role) date or time zone is out of range")
        }
        return checked
    }
}

/// The blobs and trees of one commit made in memory rather than through
/// `git hash-object` and `git mktree`, which cost a scratch file and a
/// round trip to a process per request (issue 13), for a commit on a
/// SHA-1 parent. Written into the mirror as one pack (``PackFileWriter``)
/// when the commit writes at least `receive.unpackLimit`'s default (100)
/// of files and folders and the mirror has fewer packs than
/// ``ObjectCopyRoute`` allows (``worthAPack(for:mirror:)``); otherwise as
/// loose objects (``writeLoose(into:deflater:)``). Every blob and new tree
/// of the edit goes in, also those the mirror has already, so that a
/// direct push can hand the pack over as it is.
struct PackedCommitObjects {
    private var objects: [(type: PackObjectType, bytes: [UInt8], id: ObjectID)] = []
    private var names: Set<String> = []

    /// Whether the objects of a commit on `parent` can be made here: the
    /// parent's id says the mirror is SHA-1 (a first commit goes through git).
    static func canMake(parent: ObjectID?) -> Bool {
        guard let parent else { return false }
        return parent.hex.utf8.count == 40
    }

    /// Whether the objects of `plan` are worth one pack (as many as
    /// `receive.unpackLimit`'s default, and a mirror with room for packs),
    /// rather than loose objects.
    static func worthAPack(for plan: TreeEditPlan, mirror: LocalRepository) -> Bool {
        let files = plan.folders.reduce(0) { $0 + $1.files.count }
        let count = files + plan.folders.count
        return ObjectCopyRoute.route(objectCount: count, unpackLimit: ReceivePolicy.defaultUnpackLimit, into: mirror) == .pack
    }

    /// Makes a blob of every write in `plan`; returns path → blob id.
    mutating func addBlobs(of plan: TreeEditPlan) -> [String: String] {
        var result: [String: String] = [:]
        for folder in plan.folders {
            for file in folder.files {
                if case .write(let path, let contents) = file.edit { result[path] = add(.blob, contents) }
            }
        }
        return result
    }

    /// Makes the tree of `entries` (``GitTreeEncoding``, the one encoder both backends use); returns its id.
    mutating func addTree(_ entries: some Sequence<GitOutput.RawTreeEntry>) throws(TransportError) -> String {
        var encoded: [GitTreeEncoding.Entry] = []
        for entry in entries {
            guard let id = Self.bytes(ofHex: entry.id) else {
                throw TransportError(.backend, "the tree entry '\(entry.name)' has no SHA-1 id: '\(entry.id)'")
            }
            encoded.append(
                GitTreeEncoding.Entry(name: Array(entry.name.utf8), mode: Array(entry.mode.utf8), isFolder: entry.isTree, id: id))
        }
        return add(.tree, GitTreeEncoding.encode(encoded))
    }

    /// How many objects the pack holds.
    var count: Int { objects.count }

    /// Writes each object as a loose object file into `mirror`
    /// (``LocalRepository/writeLooseObject(_:_:deflater:)``, skipping those
    /// it has); returns their ids.
    func writeLoose(into mirror: LocalRepository, deflater: Deflater) throws(TransportError) -> [String] {
        var ids: [String] = []
        ids.reserveCapacity(objects.count)
        for object in objects {
            try mirror.writeLooseObject(object.type, object.bytes, named: object.id, deflater: deflater)
            ids.append(object.id.hex)
        }
        return ids
    }

    /// Writes the objects as one pack into `mirror`; returns the pack's
    /// name, or nil when there is nothing to write (every edit a delete of
    /// a missing path).
    func write(into mirror: LocalRepository) throws(TransportError) -> String? {
        guard !objects.isEmpty else { return nil }
        let writer = try PackFileWriter(into: mirror, objectCount: objects.count)
        for object in objects { try writer.append(object.type, object.bytes) }
        return try writer.finish(durably: false)
    }

    private mutating func add(_ type: PackObjectType, _ bytes: [UInt8]) -> String {
        let id = PackFileWriter.name(of: type, bytes)
        if names.insert(id.hex).inserted { objects.append((type, bytes, id)) }
        return id.hex
    }

    private static func bytes(ofHex hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count == 40 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(20)
        for index in stride(from: 0, to: 40, by: 2) {
            guard let high = Self.value(digits[index]), let low = Self.value(digits[index + 1]) else { return nil }
            result.append(high << 4 | low)
        }
        return result
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }
}
