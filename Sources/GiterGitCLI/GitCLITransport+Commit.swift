import Foundation
public import Giter

extension GitCLITransport {
    /// Writes a commit with long-lived plumbing processes and no index or
    /// working tree: blobs through `git hash-object -w --stdin-paths`, the
    /// folders on edited paths read through `git cat-file --batch` and
    /// rewritten through `git mktree -z --batch` (every other subtree is
    /// reused by id), and the commit object through
    /// `git hash-object -w -t commit --stdin-paths`. Once those processes
    /// run, a commit starts none. Paths are checked with
    /// ``RepositoryPath/validate(_:)-(String)`` before anything is written.
    ///
    /// The last edit of a path wins. Writing `a/b` replaces a file `a` by a
    /// folder, writing `a` replaces a folder `a` by a file; deleting a path
    /// that is missing or a folder changes nothing; a folder left empty is
    /// removed. Writing both `a` and `a/b` is an `invalidArgument` error.
    public func createCommit(_ request: CommitRequest) async throws -> ObjectID {
        for edit in request.edits { try RepositoryPath.validate(edit.path) }
        let author = try Self.identityLine(request.author, role: "author")
        let committer = try Self.identityLine(request.committer, role: "committer")
        let plan = try CommitPlan(edits: request.edits)

        let scratch = try TemporaryFolder()
        defer { scratch.remove() }
        // Reading the parent's tree and writing the blobs are independent: side by side.
        async let parentTree = treeOf(commit: request.parent)
        let blobs = try await writeBlobs(plan.contents, in: scratch)
        let base = try await parentTree
        var trees = try await readTrees(under: base, plan.folderPaths)

        var written = blobs.values.sorted()
        let tree: String
        if let root = try await writeTree(plan.root, base: base, blobs: blobs, trees: &trees, written: &written) {
            tree = root
        } else {
            tree = try await treeWriter.request([0], lines: 1)[0]  // the empty tree
        }

        var text = "tree \(tree)\n"
        if let parent = request.parent { text += "parent \(parent.hex)\n" }
        text += author + committer + "\n" + request.fullMessage
        let file = scratch.path + "/commit"
        guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) else {
            throw TransportError(.backend, "cannot write a temporary file in \(scratch.path)")
        }
        let reply = try await commitWriter.request(Array((file + "\n").utf8), lines: 1)[0]
        guard let id = ObjectID(hex: reply) else {
            throw TransportError(.backend, "git hash-object printed '\(reply)' instead of a commit id")
        }
        written.append(id.hex)
        recentCommits.record(id, parent: request.parent, objects: written)
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

    /// Writes every distinct contents as a blob; returns contents index → blob id.
    private func writeBlobs(_ contents: [[UInt8]], in scratch: TemporaryFolder) async throws -> [Int: String] {
        var result: [Int: String] = [:]
        // Batches small enough that the replies fit in the pipe while the paths are written.
        for start in stride(from: 0, to: contents.count, by: 512) {
            let batch = start..<min(contents.count, start + 512)
            var list: [UInt8] = []
            for index in batch {
                let file = scratch.path + "/blob-\(index)"
                guard FileManager.default.createFile(atPath: file, contents: Data(contents[index])) else {
                    throw TransportError(.backend, "cannot write a temporary file in \(scratch.path)")
                }
                list += Array(file.utf8) + [0x0A]
            }
            let ids = try await blobWriter.request(list, lines: batch.count)
            for (index, id) in zip(batch, ids) {
                guard ObjectID(hex: id) != nil else {
                    throw TransportError(.backend, "git hash-object printed '\(id)' instead of a blob id")
                }
                result[index] = id
            }
        }
        return result
    }

    /// The trees at `paths` (folders, "" for the root) under the root tree
    /// `root`, read in one round trip: tree id → its entries. Paths that are
    /// missing or not folders are left out.
    private func readTrees(under root: String?, _ paths: [String]) async throws -> [String: [GitOutput.RawTreeEntry]] {
        guard let root else { return [:] }
        // A path with spaces or control characters cannot be named on a
        // cat-file line; writeTree reads such folders by id instead.
        let paths = paths.filter { !$0.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) }
        var result: [String: [GitOutput.RawTreeEntry]] = [:]
        for start in stride(from: 0, to: paths.count, by: 64) {
            let names = paths[start..<min(paths.count, start + 64)].map { $0.isEmpty ? root : root + ":" + $0 }
            for object in try await objects.read(names) {
                guard let object, object.type == "tree" else { continue }
                result[object.id.hex] = try GitOutput.rawTreeEntries(object.contents, idLength: object.id.hex.utf8.count / 2)
            }
        }
        return result
    }

    /// Writes the folder `folder` on top of the tree `base` (nil: nothing
    /// there yet); returns its id, or nil when it ends up empty. Appends
    /// the ids of trees it wrote to `written`. Trees already read are in `trees`.
    private func writeTree(
        _ folder: CommitPlan.Folder, base: String?, blobs: [Int: String],
        trees: inout [String: [GitOutput.RawTreeEntry]], written: inout [String]
    ) async throws -> String? {
        var entries: [String: GitOutput.RawTreeEntry] = [:]
        if let base {
            var listing = trees[base]
            if listing == nil {
                guard let object = try await objects.read(base), object.type == "tree" else {
                    throw TransportError(.objectNotFound, "the mirror has no tree \(base)")
                }
                listing = try GitOutput.rawTreeEntries(object.contents, idLength: base.utf8.count / 2)
            }
            for entry in listing ?? [] { entries[entry.name] = entry }
        }
        var changed = false
        for (name, content) in folder.files {
            if let content, let id = blobs[content] {
                entries[name] = GitOutput.RawTreeEntry(mode: "100644", name: name, id: id)
                changed = true
            } else if let existing = entries[name], !existing.isTree {
                entries[name] = nil
                changed = true
            }
        }
        for (name, child) in folder.folders {
            let existing = entries[name]
            let childBase = existing?.isTree == true ? existing?.id : nil
            if let id = try await writeTree(child, base: childBase, blobs: blobs, trees: &trees, written: &written) {
                if id != childBase {
                    entries[name] = GitOutput.RawTreeEntry(mode: "40000", name: name, id: id)
                    changed = true
                }
            } else if childBase != nil {
                entries[name] = nil
                changed = true
            }
        }
        if !changed, let base { return base }
        if entries.isEmpty { return nil }
        var input: [UInt8] = []
        for entry in entries.values {
            input += Array("\(entry.mode) \(entry.type) \(entry.id)\t\(entry.name)".utf8) + [0]
        }
        input.append(0)
        let id = try await treeWriter.request(input, lines: 1)[0]
        guard ObjectID(hex: id) != nil else {
            throw TransportError(.backend, "git mktree printed '\(id)' instead of a tree id")
        }
        if id != base { written.append(id) }
        return id
    }

    /// The `author`/`committer` header line of a signature, refusing what git would mangle.
    static func identityLine(_ signature: Signature, role: String) throws(TransportError) -> String {
        let fields = try identity(signature, role: role.uppercased())
        let prefix = "GIT_\(role.uppercased())_"
        // Surrounding spaces are dropped, as libgit2 does.
        let name = (fields[prefix + "NAME"] ?? "").trimmingCharacters(in: .whitespaces)
        let email = (fields[prefix + "EMAIL"] ?? "").trimmingCharacters(in: .whitespaces)
        let date = String((fields[prefix + "DATE"] ?? "").dropFirst())  // "@seconds zone"
        return "\(role) \(name) <\(email)> \(date)\n"
    }

    /// `GIT_<role>_NAME/EMAIL/DATE` for a signature, refusing what git would silently mangle.
    static func identity(_ signature: Signature, role: String) throws(TransportError) -> [String: String] {
        for (field, value) in [("name", signature.name), ("email", signature.email)] {
            if value.unicodeScalars.contains(where: { $0 == "<" || $0 == ">" || $0.value < 0x20 }) {
                throw TransportError(.invalidArgument, "the \(role.lowercased()) \(field) '\(value)' holds '<', '>' or a control character")
            }
        }
        if signature.name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw TransportError(.invalidArgument, "the \(role.lowercased()) name is empty")
        }
        let seconds = Int64(signature.date.timeIntervalSince1970.rounded(.down))
        let zone = signature.timeZoneOffsetMinutes
        guard abs(zone) < 100 * 60, seconds >= 0 else {
            throw TransportError(.invalidArgument, "the \(role.lowercased()) date or time zone is out of range")
        }
        return [
            "GIT_\(role)_NAME": signature.name,
            "GIT_\(role)_EMAIL": signature.email,
            "GIT_\(role)_DATE": "@\(seconds) \(GitOutput.timeZoneText(zone))",
        ]
    }
}
