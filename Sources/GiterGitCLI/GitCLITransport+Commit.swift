import Foundation
public import Giter

extension GitCLITransport {
    /// Writes a commit with plumbing and a temporary index file (never a
    /// working tree): one `hash-object -w --stdin-paths` for all blobs
    /// (alongside `read-tree` of the parent), `update-index -z --index-info`,
    /// `write-tree` and `commit-tree` — five processes whatever the number
    /// of edits. Paths are checked with ``RepositoryPath/validate(_:)-(String)``
    /// before anything is written.
    public func createCommit(_ request: CommitRequest) async throws -> ObjectID {
        for edit in request.edits { try RepositoryPath.validate(edit.path) }
        let author = try Self.identity(request.author, role: "AUTHOR")
        let committer = try Self.identity(request.committer, role: "COMMITTER")

        let scratch = try TemporaryFolder()
        defer { scratch.remove() }

        // The last edit of a path wins.
        var finalEdits: [String: PathEdit] = [:]
        var order: [String] = []
        for edit in request.edits {
            if finalEdits.updateValue(edit, forKey: edit.path) == nil { order.append(edit.path) }
        }
        let edits = order.compactMap { finalEdits[$0] }

        // Writing the blobs and loading the parent's tree are independent: run them side by side.
        let index = ["GIT_INDEX_FILE": scratch.path + "/index"]
        let treeArguments = request.parent.map { ["read-tree", $0.hex + "^{tree}"] } ?? ["read-tree", "--empty"]
        async let loadedTree = runner.check(treeArguments, environment: index)
        let blobIDs = try await writeBlobs(edits, in: scratch)
        _ = try await loadedTree
        if !edits.isEmpty {
            let zeros = String(repeating: "0", count: request.parent?.hex.count ?? 40)
            var lines: [UInt8] = []
            for edit in edits {
                switch edit {
                case .write(let path, _):
                    lines += Array("100644 \(blobIDs[path] ?? zeros)\t\(path)".utf8) + [0]
                case .delete(let path):
                    lines += Array("0 \(zeros)\t\(path)".utf8) + [0]
                }
            }
            _ = try await runner.check(["update-index", "-z", "--index-info"], environment: index, input: lines)
        }
        let tree = try await runner.check(["write-tree"], environment: index).outputText

        var arguments = ["commit-tree", tree]
        if let parent = request.parent { arguments += ["-p", parent.hex] }
        arguments += ["-F", "-"]
        let commit = try await runner.check(
            arguments, environment: author.merging(committer) { first, _ in first },
            input: Array(request.fullMessage.utf8))
        guard let id = ObjectID(hex: commit.outputText) else {
            throw TransportError(.backend, "git commit-tree printed '\(commit.outputText)' instead of a commit id")
        }
        return id
    }

    /// Writes the contents of every `.write` edit with one `git hash-object -w --stdin-paths`.
    private func writeBlobs(_ edits: [PathEdit], in scratch: TemporaryFolder) async throws -> [String: String] {
        var files: [(path: String, file: String)] = []
        for edit in edits {
            guard case .write(let path, let contents) = edit else { continue }
            let file = scratch.path + "/blob-\(files.count)"
            guard FileManager.default.createFile(atPath: file, contents: Data(contents)) else {
                throw TransportError(.backend, "cannot write a temporary file in \(scratch.path)")
            }
            files.append((path, file))
        }
        guard !files.isEmpty else { return [:] }
        let list = files.map(\.file).joined(separator: "\n") + "\n"
        let result = try await runner.check(
            ["hash-object", "-w", "--no-filters", "--stdin-paths"], input: Array(list.utf8))
        let ids = result.outputText.split(separator: "\n").map(String.init)
        guard ids.count == files.count, ids.allSatisfy({ ObjectID(hex: $0) != nil }) else {
            throw TransportError(.backend, "git hash-object printed \(ids.count) ids for \(files.count) files")
        }
        var byPath: [String: String] = [:]
        for (file, id) in zip(files, ids) { byPath[file.path] = id }
        return byPath
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
