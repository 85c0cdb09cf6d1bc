import GitServerFixtures
import Giter
import Testing

/// How a commit request's edits become a tree (`TreeEditPlan`'s rules), the
/// same over both backends and the in-memory transport. These cases are
/// about writing commits, not talking to servers: they run over a
/// repository on this machine.
extension TransportConformanceTests {
    /// Requests that say two things about one path, and the path each
    /// refusal must name.
    static let conflictingEdits: [(edits: [PathEdit], names: String)] = [
        ([.write(path: "a", contents: fileContents("1")), .write(path: "a", contents: fileContents("2"))], "'a'"),
        ([.write(path: "a", contents: fileContents("1")), .write(path: "a", contents: fileContents("1"))], "'a'"),
        ([.write(path: "d/a", contents: fileContents("1")), .delete(path: "d/a")], "'d/a'"),
        ([.delete(path: "d/a"), .delete(path: "d/a")], "'d/a'"),
        ([.write(path: "a", contents: fileContents("1")), .write(path: "a/b", contents: fileContents("2"))], "'a/b'"),
        ([.write(path: "a/b/c", contents: fileContents("1")), .write(path: "a", contents: fileContents("2"))], "'a/b/c'"),
        ([.delete(path: "a"), .write(path: "a/b", contents: fileContents("2"))], "'a/b'"),
        ([.write(path: "a/b", contents: fileContents("2")), .delete(path: "a")], "'a/b'"),
        ([.write(path: "x/a", contents: fileContents("1")), .delete(path: "x/a/b/c")], "'x/a/b/c'"),
    ]

    @Test(arguments: TransportSubject.local)
    func conflictingEditsAreRefusedAsAWhole(subject: TransportSubject) async throws {
        try await withSubject(subject, seeded: true) { context in
            let transport = try await context.open(mirror: "writer")
            let tip = try #require(try await transport.fetch())
            for (edits, names) in Self.conflictingEdits {
                // A valid edit first: the refusal is of the whole request.
                let request = CommitRequest(
                    parent: tip, edits: [.write(path: "ok.yaml", contents: fileContents("ok"))] + edits, author: testAuthor,
                    message: "conflicting")
                let error = await transportError { _ = try await transport.createCommit(request) }
                #expect(error?.code == .invalidArgument, "\(edits)")
                #expect(error?.message.contains(names) == true, "\(error?.message ?? "") should name \(names)")
            }
            // Unsafe paths are refused before conflicts are looked for.
            let unsafe = await transportError {
                _ = try await transport.createCommit(
                    CommitRequest(
                        parent: tip, edits: [.delete(path: ".git/x"), .delete(path: ".git/x")], author: testAuthor,
                        message: "unsafe"))
            }
            #expect(unsafe?.code == .unsafePath)
            // Each path once, files and folders apart: accepted.
            let accepted = try await transport.createCommit(
                CommitRequest(
                    parent: tip,
                    edits: [
                        .write(path: "a/b", contents: fileContents("1")), .write(path: "a/c", contents: fileContents("2")),
                        .delete(path: "ab"), .write(path: "a.yaml", contents: fileContents("3")),
                    ],
                    author: testAuthor, message: "apart"))
            let paths = try await transport.treeEntries(at: accepted, under: nil).map(\.path)
            #expect(paths == ["README", "a.yaml", "a/b", "a/c"])
            #expect(try await transport.remoteTip() == tip)
        }
    }

    @Test(arguments: TransportSubject.local)
    func editsApplyToTheParentTreeAsInGit(subject: TransportSubject) async throws {
        try await withSubject(subject) { context in
            let transport = try await context.open(mirror: "writer")
            // No parent and no edits: the empty tree.
            let empty = try await transport.createCommit(CommitRequest(parent: nil, edits: [], author: testAuthor, message: "empty"))
            #expect(try await transport.treeEntries(at: empty, under: nil).isEmpty)

            func commit(_ parent: ObjectID?, _ edits: [PathEdit]) async throws -> ObjectID {
                try await transport.createCommit(CommitRequest(parent: parent, edits: edits, author: testAuthor, message: "edit"))
            }
            func files(_ commit: ObjectID, under folder: String? = nil) async throws -> [String] {
                try await transport.treeEntries(at: commit, under: folder).map(\.path)
            }
            let first = try await commit(
                nil,
                [
                    .write(path: "x", contents: fileContents("file")), .write(path: "y/inner", contents: fileContents("folder")),
                    .write(path: "z/deep/f", contents: fileContents("deep")), .write(path: "keep/k", contents: fileContents("k")),
                ])
            #expect(try await files(first) == ["keep/k", "x", "y/inner", "z/deep/f"])
            // No edits: the parent's tree.
            #expect(try await files(commit(first, [])) == ["keep/k", "x", "y/inner", "z/deep/f"])

            // A write below a file replaces the file by a folder, a write of
            // a folder's path replaces the folder by a file; a delete never
            // removes a folder, and deleting what is not there changes nothing.
            let second = try await commit(
                first,
                [
                    .write(path: "x/inner", contents: fileContents("now a folder")),
                    .write(path: "y", contents: fileContents("now a file")),
                    .delete(path: "z"), .delete(path: "keep/missing"), .delete(path: "nothing/here"),
                ])
            #expect(try await files(second) == ["keep/k", "x/inner", "y", "z/deep/f"])
            let entries = try await transport.treeEntries(at: second, under: nil)
            #expect(entries.allSatisfy { $0.mode == .regular })
            #expect(try await transport.blob(entries[2].id) == fileContents("now a file"))
            // A folder is a folder: a file's path lists nothing.
            #expect(try await files(second, under: "y").isEmpty)
            #expect(try await files(second, under: "x/") == ["x/inner"])
            let changes = try await transport.changes(from: first, to: second, under: nil)
            #expect(changes.map(\.path) == ["x", "x/inner", "y", "y/inner"])
            #expect(changes.map(\.kind) == [.deleted, .added, .added, .deleted])

            // Deleting below a file leaves the file; a folder left empty vanishes.
            let third = try await commit(second, [.delete(path: "y/below"), .delete(path: "z/deep/f")])
            #expect(try await files(third) == ["keep/k", "x/inner", "y"])
            #expect(try await files(third, under: "z").isEmpty)
            #expect(try await transport.changes(from: second, to: third, under: nil).map(\.path) == ["z/deep/f"])
            let history = try await transport.history(of: "z", from: third, limit: nil)
            #expect(history.map(\.id) == [third, first])
        }
    }

    @Test(arguments: TransportSubject.local)
    func missingObjectsAreObjectNotFound(subject: TransportSubject) async throws {
        try await withSubject(subject, seeded: true) { context in
            let transport = try await context.open(mirror: "reader")
            let tip = try #require(try await transport.fetch())
            let missing = try #require(ObjectID(hex: String(repeating: "ab", count: 20)))
            #expect(try await transport.resolve(missing.hex) == nil)
            #expect(try await transport.resolve("refs/heads/no-such-branch") == nil)
            #expect(await transportErrorCode { _ = try await transport.blob(missing) } == .objectNotFound)
            #expect(await transportErrorCode { _ = try await transport.treeEntries(at: missing, under: nil) } == .objectNotFound)
            #expect(await transportErrorCode { _ = try await transport.changes(from: missing, to: tip, under: nil) } == .objectNotFound)
            let orphan = CommitRequest(
                parent: missing, edits: [.write(path: "a", contents: fileContents("a"))], author: testAuthor, message: "orphan")
            #expect(await transportErrorCode { _ = try await transport.createCommit(orphan) } == .objectNotFound)
        }
    }
}
