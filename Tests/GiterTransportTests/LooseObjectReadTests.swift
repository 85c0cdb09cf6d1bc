import Foundation
import GitServerFixtures
import Giter
@testable import GiterGitCLI
import GiterLocalGit
import Testing

/// Loose objects read in process (``LocalRepository/readLooseObject(_:maximumSize:)``)
/// and the git CLI backend's reads that use them before `cat-file`.
@Suite struct LooseObjectReadTests {
    static func git(_ arguments: [String], in repository: String, input: String? = nil) async throws -> String {
        try await runGitChecked(["--git-dir", repository] + arguments, input: input.map { Data($0.utf8) }).trimmedStdout
    }

    /// A new bare repository in a new temporary folder (the caller removes the folder).
    static func bareRepository(_ prefix: String) async throws -> (TemporaryDirectory, LocalRepository) {
        let directory = try TemporaryDirectory(prefix: prefix)
        let path = directory.appending("repo.git").path
        try await runGitChecked(["init", "-q", "--bare", path])
        return (directory, LocalRepository(folder: path))
    }

    @Test func aLooseObjectReadsAsGitReadsIt() async throws {
        let (directory, repository) = try await Self.bareRepository("giter-loose-read")
        defer { directory.remove() }
        let path = repository.folder
        let blob = try await Self.git(["hash-object", "-w", "--stdin"], in: path, input: "kind: Task\nname: one\n")
        let tree = try await Self.git(["mktree"], in: path, input: "100644 blob \(blob)\tone.yaml\n")
        let commit = try await Self.git(["commit-tree", tree, "-m", "one"], in: path)
        let blobID = try #require(ObjectID(hex: blob))
        // A tree entry: mode, name, NUL, the 20 bytes of the id.
        let blobBytes = stride(from: 0, to: 40, by: 2).map { offset in
            UInt8(blob.dropFirst(offset).prefix(2), radix: 16) ?? 0
        }
        let expected: [(type: String, id: String, contents: [UInt8])] = [
            ("blob", blob, Array("kind: Task\nname: one\n".utf8)),
            ("tree", tree, Array("100644 one.yaml\u{0}".utf8) + blobBytes),
            ("commit", commit, Array(try await Self.git(["cat-file", "commit", commit], in: path).utf8) + [0x0A]),
        ]
        for object in expected {
            let id = try #require(ObjectID(hex: object.id))
            let read = repository.readLooseObject(id, maximumSize: 1 << 20)
            #expect(read?.type == object.type)
            #expect(read?.contents == object.contents, "\(object.type)")
        }
        // Over the size asked for: Git's to read.
        #expect(repository.readLooseObject(blobID, maximumSize: 10) == nil)
        // No such file; an id that is not SHA-1.
        let absent = try #require(ObjectID(hex: String(repeating: "1", count: 40)))
        let longer = try #require(ObjectID(hex: String(repeating: "1", count: 64)))
        #expect(repository.readLooseObject(absent, maximumSize: 1 << 20) == nil)
        #expect(repository.readLooseObject(longer, maximumSize: 1 << 20) == nil)
    }

    /// An empty object, an object exactly at the size asked for and one
    /// byte over, a tag, a size written with a leading zero (Git refuses
    /// it; the object's name alone would not), and a small file that
    /// inflates far past the size.
    @Test func sizesAtTheEdgesTagsAndHeadersGitWouldNotWrite() async throws {
        let (directory, repository) = try await Self.bareRepository("giter-loose-edges")
        defer { directory.remove() }
        let path = repository.folder
        let empty = try #require(ObjectID(hex: try await Self.git(["hash-object", "-w", "--stdin"], in: path, input: "")))
        #expect(repository.readLooseObject(empty, maximumSize: 0) == LooseObject(type: "blob", contents: []))
        let four = try #require(ObjectID(hex: try await Self.git(["hash-object", "-w", "--stdin"], in: path, input: "one\n")))
        #expect(repository.readLooseObject(four, maximumSize: 4)?.contents == Array("one\n".utf8))
        #expect(repository.readLooseObject(four, maximumSize: 3) == nil)
        let commit = try await Self.git(["commit-tree", "4b825dc642cb6eb9a060e54bf8d69288fbee4904", "-m", "c"], in: path)
        let tagText = "object \(commit)\ntype commit\ntag v1\ntagger Giter <giter@localhost> 0 +0000\n\nv1\n"
        let tag = try #require(ObjectID(hex: try await Self.git(["mktag"], in: path, input: tagText)))
        #expect(repository.readLooseObject(tag, maximumSize: 1 << 20) == LooseObject(type: "tag", contents: Array(tagText.utf8)))

        func replace(_ id: ObjectID, with text: [UInt8]) throws {
            var stream: [UInt8] = []
            try text.withUnsafeBytes { try Deflater().append($0, to: &stream) }
            let file = repository.looseObjectPath(id)
            try FileManager.default.removeItem(atPath: file)
            try Data(stream).write(to: URL(fileURLWithPath: file))
        }
        // The same object with its size written "04": its name still matches the object, but Git reads no such header.
        try replace(four, with: Array("blob 04\u{0}one\n".utf8))
        #expect(repository.readLooseObject(four, maximumSize: 1 << 20) == nil)
        try replace(four, with: Array("blob +4\u{0}one\n".utf8))
        #expect(repository.readLooseObject(four, maximumSize: 1 << 20) == nil)
        // 64 KiB of zeros deflate to a few hundred bytes; read with a limit of 1 KiB.
        try replace(four, with: Array("blob 65536\u{0}".utf8) + [UInt8](repeating: 0, count: 65_536))
        #expect(try #require(Platform.contents(of: repository.looseObjectPath(four))).count < 1_024)
        #expect(repository.readLooseObject(four, maximumSize: 1_024) == nil)
    }

    /// A file whose bytes are not the object its name says is not read:
    /// another object's file, a changed byte, a cut stream, bytes after
    /// the stream, a header that lies about the size or names no type.
    @Test func aFileThatIsNotItsObjectIsNotRead() async throws {
        let (directory, repository) = try await Self.bareRepository("giter-loose-bad")
        defer { directory.remove() }
        let path = repository.folder
        let blob = try #require(ObjectID(hex: try await Self.git(["hash-object", "-w", "--stdin"], in: path, input: "one\n")))
        let stream = try #require(Platform.contents(of: repository.looseObjectPath(blob)))
        let victim = try #require(ObjectID(hex: "0123456789abcdef0123456789abcdef01234567"))
        func place(_ bytes: [UInt8]) throws {
            try Platform.createFolders(repository.objectsFolder + "/01")
            let file = repository.looseObjectPath(victim)
            try? FileManager.default.removeItem(atPath: file)
            try Data(bytes).write(to: URL(fileURLWithPath: file))
        }
        func deflated(_ text: String) throws -> [UInt8] {
            var out: [UInt8] = []
            try Array(text.utf8).withUnsafeBytes { try Deflater().append($0, to: &out) }
            return out
        }
        let cases: [(String, [UInt8])] = [
            ("another object's file", stream),
            ("a changed byte", stream.enumerated().map { $0.offset == stream.count - 5 ? $0.element ^ 0xFF : $0.element }),
            ("a cut stream", Array(stream.dropLast(6))),
            ("bytes after the stream", stream + [0x00]),
            ("a size that lies", try deflated("blob 9\u{0}one\n")),
            ("no such type", try deflated("bolb 4\u{0}one\n")),
            ("no header", try deflated("one\n")),
            ("not zlib", Array("blob 4\u{0}one\n".utf8)),
        ]
        for (what, bytes) in cases {
            try place(bytes)
            #expect(repository.readLooseObject(victim, maximumSize: 1 << 20) == nil, "\(what)")
        }
        #expect(repository.readLooseObject(blob, maximumSize: 1 << 20)?.contents == Array("one\n".utf8))
    }

    /// The objects of a small commit and of a small fetch are loose in the
    /// mirror: the git CLI backend's diff and reads of them send nothing
    /// to `cat-file`; a packed object still goes there.
    @Test func looseObjectsOfTheMirrorCostNoRoundTripToCatFile() async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let transport = try #require(try await context.open(.gitCLI, mirror: "reader") as? GitCLITransport)
            let tip = try #require(try await transport.fetch())
            let mirror = LocalRepository(folder: context.configuration(mirror: "reader").mirrorPath)
            // Everything fetched so far packed: only the commit below is loose.
            _ = try await Self.git(["repack", "-a", "-d", "-q"], in: mirror.folder)
            let small = try await transport.createCommit(
                CommitRequest(
                    parent: tip, edits: [.write(path: "r/new.yaml", contents: Array("n: 1\n".utf8))], author: testAuthor,
                    message: "small"))
            let before = transport.objects.namesSentToProcess.value
            let changes = try await transport.changes(from: tip, to: small, under: nil)
            // The parent's commit and trees are packed: those went to the process, the new ones did not.
            #expect(transport.objects.namesSentToProcess.value > before)
            let afterDiff = transport.objects.namesSentToProcess.value
            let change = try #require(changes.first { $0.path == "r/new.yaml" })
            let newID = try #require(change.newID)
            #expect(FileManager.default.fileExists(atPath: mirror.looseObjectPath(newID)))
            #expect(try await transport.blob(newID) == Array("n: 1\n".utf8))
            #expect(transport.objects.namesSentToProcess.value == afterDiff, "a loose blob is read in process")
            let commits = try await transport.commits(from: small, excluding: tip, limit: nil)
            #expect(commits.map(\.id) == [small])
            #expect(transport.objects.namesSentToProcess.value == afterDiff, "a loose commit is read in process")

            // A packed object is asked of the process.
            let entries = try await transport.treeEntries(at: tip, under: nil)
            let packed = try #require(entries.first { $0.mode != .tree })
            #expect(!FileManager.default.fileExists(atPath: mirror.looseObjectPath(packed.id)))
            _ = try await transport.blob(packed.id)
            #expect(transport.objects.namesSentToProcess.value == afterDiff + 1)

            // One read of a loose, a packed and a missing object: in order, the missing one nil, and only the
            // packed and the missing ones asked of the process.
            let missing = String(repeating: "e", count: 40)
            let mixed = try await transport.objects.read([newID.hex, packed.id.hex, missing])
            #expect(mixed.map { $0?.id } == [newID, packed.id, nil])
            #expect(mixed[0]?.contents == Array("n: 1\n".utf8))
            #expect(transport.objects.namesSentToProcess.value == afterDiff + 3)
        }
    }
}
