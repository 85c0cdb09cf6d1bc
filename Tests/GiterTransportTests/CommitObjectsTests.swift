import Foundation
import GitServerFixtures
import Giter
@testable import GiterGitCLI
import GiterLocalGit
import Testing

/// How a commit's blobs and trees reach the mirror. The libgit2 backend
/// encodes and orders its trees itself (in memory, then written loose or
/// as one pack); the git CLI backend has `git mktree` do it. Both must give
/// Git's trees byte for byte, which `git fsck --strict` and the other
/// backend check.
@Suite struct CommitObjectsTests {
    /// A parent whose root holds names that sort differently as files and
    /// as folders (`a`, `a.b`, `a-`, `a0`), an executable, a symbolic link
    /// and a folder; returns its commit id. Written with Git's plumbing.
    static func trickyParent(_ repository: BareRepository) async throws -> String {
        func blob(_ text: String) async throws -> String {
            try await repository.git(["hash-object", "-w", "--stdin"], input: Data(text.utf8)).trimmedStdout
        }
        let script = try await blob("echo hi\n")
        let target = try await blob("run.sh")
        let text = try await blob("z\n")
        let folder = try await repository.git(["mktree"], input: Data("100644 blob \(text)\tx\n".utf8)).trimmedStdout
        let listing = [
            "100755 blob \(script)\trun.sh", "120000 blob \(target)\tlink", "100644 blob \(text)\ta.b",
            "040000 tree \(folder)\ta", "100644 blob \(text)\ta0", "100644 blob \(text)\ta-", "100644 blob \(text)\tkeep",
        ]
        let tree = try await repository.git(["mktree"], input: Data((listing.joined(separator: "\n") + "\n").utf8))
            .trimmedStdout
        let parent = try #require(try await repository.resolve("refs/heads/main"))
        let commit = try await repository.git(["commit-tree", tree, "-p", parent, "-m", "tricky names"]).trimmedStdout
        try await repository.git(["update-ref", "refs/heads/main", commit, parent])
        return commit
    }

    /// Edits whose order in their folders is not plain byte order, a new
    /// folder among files of similar names, a file written over an
    /// executable, a delete of a file and of nothing, and `bulk` more
    /// files in 13 folders with one of 10 KiB beside them.
    static func edits(bulk: Int) -> [PathEdit] {
        [
            .write(path: "a/y", contents: Array("y\n".utf8)), .write(path: "a.c", contents: Array("c\n".utf8)),
            .write(path: "a-b/new", contents: Array("new\n".utf8)), .write(path: "a/b/deeper", contents: Array("d\n".utf8)),
            .write(path: "run.sh", contents: Array("plain now\n".utf8)), .delete(path: "a0"), .delete(path: "missing"),
        ]
            + (0..<bulk).map { index in
                PathEdit.write(path: "bulk/b\(index % 13)/item-\(index).yaml", contents: Array("n: \(index)\n".utf8))
            }
            + (bulk > 0 ? [.write(path: "bulk/big.yaml", contents: Array(repeating: Array("a: b\n".utf8), count: 2048).flatMap { $0 })] : [])
    }

    @discardableResult
    static func git(_ arguments: [String], mirror: String) async throws -> String {
        try await runGitChecked(["--git-dir", mirror] + arguments).trimmedStdout
    }

    /// The same requests, small and large, make the same commits on both
    /// backends, and `git fsck --strict` (which checks each tree's order
    /// and modes) passes on both mirrors.
    @Test func bothBackendsMakeTheSameCommitsFromTheSameEdits() async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let parent = try #require(ObjectID(hex: try await Self.trickyParent(context.repository)))
            var commits: [Backend: [ObjectID]] = [:]
            for backend in Backend.allCases {
                let transport = try await context.open(backend, mirror: "\(backend)")
                #expect(try await transport.fetch() == parent)
                var made: [ObjectID] = []
                for bulk in [0, 150] {
                    made.append(
                        try await transport.createCommit(
                            CommitRequest(parent: parent, edits: Self.edits(bulk: bulk), author: testAuthor, message: "edits")))
                }
                // Everything removed: the empty tree.
                let entries = try await transport.treeEntries(at: parent, under: nil)
                made.append(
                    try await transport.createCommit(
                        CommitRequest(
                            parent: parent, edits: entries.map { PathEdit.delete(path: $0.path) }, author: testAuthor,
                            message: "empty")))
                commits[backend] = made
                let mirror = context.configuration(mirror: "\(backend)").mirrorPath
                try await Self.git(["fsck", "--strict", "--no-dangling"], mirror: mirror)
                let empty = try await Self.git(["rev-parse", "\(made[2].hex)^{tree}"], mirror: mirror)
                #expect(empty == "4b825dc642cb6eb9a060e54bf8d69288fbee4904")
                let kept = try await Self.git(["ls-tree", made[0].hex, "link"], mirror: mirror)
                #expect(kept.hasPrefix("120000 blob"), "the link keeps its mode: \(kept)")
                let rewritten = try await Self.git(["ls-tree", made[0].hex, "run.sh"], mirror: mirror)
                #expect(rewritten.hasPrefix("100644 blob"), "a write makes a regular file: \(rewritten)")
            }
            #expect(commits[.libgit2] == commits[.gitCLI])
            #expect(commits[.libgit2]?.count == 3)
        }
    }

    /// A folder holding an entry with a mode Git no longer writes
    /// (`100664`, from old Git) keeps it when another file of the folder is
    /// written, the same on both backends, for a small and a large commit;
    /// and a commit of only deletes of missing paths, however many, is the
    /// parent's tree again.
    @Test func untouchedEntriesKeepTheirModesAndDeletesOfNothingChangeNothing() async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let repository = context.repository
            let text = try await repository.git(["hash-object", "-w", "--stdin"], input: Data("old\n".utf8)).trimmedStdout
            // `mktree` would accept the mode too, but `hash-object --literally` writes exactly these bytes.
            var legacy = Array("100664 old.txt".utf8) + [0] + Self.bytes(ofHex: text)
            legacy += Array("100644 same.txt".utf8) + [0] + Self.bytes(ofHex: text)
            let folder = try await repository.git(
                ["hash-object", "-w", "--literally", "-t", "tree", "--stdin"], input: Data(legacy)).trimmedStdout
            let parentCommit = try #require(try await repository.resolve("refs/heads/main"))
            let root = try await repository.git(["mktree"], input: Data("040000 tree \(folder)\tlegacy\n".utf8)).trimmedStdout
            let commit = try await repository.git(["commit-tree", root, "-p", parentCommit, "-m", "legacy"]).trimmedStdout
            try await repository.git(["update-ref", "refs/heads/main", commit, parentCommit])
            let parent = try #require(ObjectID(hex: commit))

            var made: [Backend: [ObjectID]] = [:]
            for backend in Backend.allCases {
                let transport = try await context.open(backend, mirror: "\(backend)")
                #expect(try await transport.fetch() == parent)
                let small = try await transport.createCommit(
                    CommitRequest(
                        parent: parent, edits: [.write(path: "legacy/new.txt", contents: Array("new\n".utf8))],
                        author: testAuthor, message: "small"))
                let large = try await transport.createCommit(
                    CommitRequest(
                        parent: parent,
                        edits: [.write(path: "legacy/new.txt", contents: Array("new\n".utf8))]
                            + (0..<120).map { PathEdit.write(path: "many/f\($0)", contents: Array("\($0)\n".utf8)) },
                        author: testAuthor, message: "large"))
                let nothing = try await transport.createCommit(
                    CommitRequest(
                        parent: parent, edits: (0..<150).map { PathEdit.delete(path: "missing/m\($0)") },
                        author: testAuthor, message: "deletes of nothing"))
                made[backend] = [small, large, nothing]
                let mirror = context.configuration(mirror: "\(backend)").mirrorPath
                for id in [small, large] {
                    // Raw bytes: `ls-tree` shows modes as Git reads them (`100664` as `100644`).
                    let raw = try await runGitChecked(["--git-dir", mirror, "cat-file", "tree", "\(id.hex):legacy"]).stdout
                    #expect(raw.contains("100664 old.txt"), "\(backend): \(raw)")
                    #expect(raw.contains("100644 new.txt"), "\(backend): \(raw)")
                }
                let tree = try await Self.git(["rev-parse", "\(nothing.hex)^{tree}"], mirror: mirror)
                #expect(tree == root, "\(backend)")
            }
            #expect(made[.libgit2] == made[.gitCLI])
        }
    }

    /// A remote whose `receive.unpackLimit` would have receive-pack unpack
    /// a push of 150 objects gets the git CLI's large commit through
    /// `git push`, not as the pack the commit was written in; the remote
    /// then holds it as receive-pack keeps it, loose.
    @Test func aRemoteThatUnpacksSuchAPushGetsTheLargeCommitThroughGitPush() async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await DirectPushTests.allowDirectPushes(context)
            try await context.repository.git(["config", "receive.unpackLimit", "1000"])
            let transport = try await context.open(.gitCLI, mirror: "writer")
            let tip = try #require(try await transport.fetch())
            let large = try await transport.createCommit(
                CommitRequest(parent: tip, edits: Self.edits(bulk: 150), author: testAuthor, message: "large"))
            #expect(try await transport.push(large, expecting: tip) == .pushed(large))
            #expect(DirectPushTests.routes(transport) == (0, 1), "through receive-pack")
            let blob = try await context.repository.git(["rev-parse", "\(large.hex):bulk/b3/item-42.yaml"]).trimmedStdout
            let remote = LocalRepository(folder: context.repository.path)
            #expect(Platform.exists(remote.looseObjectPath(try #require(ObjectID(hex: blob)))), "unpacked by receive-pack")
        }
    }

    static func bytes(ofHex hex: String) -> [UInt8] {
        stride(from: 0, to: hex.utf8.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
    }

    /// On both backends, a commit of at least `receive.unpackLimit` (100)
    /// new objects is written into the mirror as one pack, its blobs not
    /// loose, and no staging folder is left; a small commit stays loose.
    /// Git reads both, a direct push hands the objects over as one pack,
    /// and readers of both backends fetch them.
    @Test(arguments: Backend.allCases)
    func aLargeCommitIsOnePackInTheMirror(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await DirectPushTests.allowDirectPushes(context)
            let transport = try await context.open(backend, mirror: "writer")
            let tip = try #require(try await transport.fetch())
            let mirror = LocalRepository(folder: context.configuration(mirror: "writer").mirrorPath)
            let packsBefore = mirror.packCount

            let launches = (transport as? GitCLITransport)?.processLaunches
            let small = try await transport.createCommit(
                CommitRequest(parent: tip, edits: Self.edits(bulk: 0), author: testAuthor, message: "small"))
            if let cli = transport as? GitCLITransport {
                // Made in Swift and written as loose objects: no git process (the parent's trees come from the
                // long-lived cat-file).
                #expect(cli.processLaunches == launches, "no git process for a small commit")
            }
            #expect(mirror.packCount == packsBefore)
            let smallBlob = try await Self.git(["rev-parse", "\(small.hex):a/y"], mirror: mirror.folder)
            #expect(FileManager.default.fileExists(atPath: mirror.looseObjectPath(try #require(ObjectID(hex: smallBlob)))))

            let large = try await transport.createCommit(
                CommitRequest(parent: small, edits: Self.edits(bulk: 150), author: testAuthor, message: "large"))
            #expect(mirror.packCount == packsBefore + 1, "one pack for the blobs and trees of the commit")
            // A small object is stored as it is, a large one deflated.
            let indexes = Platform.entryNames(in: mirror.packFolder).filter { $0.hasSuffix(".idx") }
            let listing = try await Self.git(
                ["verify-pack", "-v"] + indexes.map { mirror.packFolder + "/" + $0 }, mirror: mirror.folder)
            let bigFile = try await Self.git(["rev-parse", "\(large.hex):bulk/big.yaml"], mirror: mirror.folder)
            let smallFile = try await Self.git(["rev-parse", "\(large.hex):bulk/b3/item-42.yaml"], mirror: mirror.folder)
            func sizes(_ id: String) throws -> (size: Int, packed: Int) {
                // "<id> <type> <size> <size in pack> <offset>"
                let fields = try #require(listing.split(separator: "\n").first { $0.hasPrefix(id) }).split(separator: " ")
                return (try #require(Int(fields[2])), try #require(Int(fields[3])))
            }
            let big = try sizes(bigFile)
            #expect(big.size == 10 * 1024 && big.packed < big.size / 4, "deflated: \(big)")
            // Stored: a one-byte header, zlib's two, one stored block's five and the Adler-32's four.
            let stored = try sizes(smallFile)
            #expect(stored.packed == stored.size + 12, "stored as it is: \(stored)")
            let largeBlob = try await Self.git(["rev-parse", "\(large.hex):bulk/b3/item-42.yaml"], mirror: mirror.folder)
            #expect(!FileManager.default.fileExists(atPath: mirror.looseObjectPath(try #require(ObjectID(hex: largeBlob)))))
            #expect(Platform.entryNames(in: mirror.packFolder).filter { $0.hasPrefix("tmp_giter_pack_") }.isEmpty)
            try await Self.git(["fsck", "--strict", "--no-dangling"], mirror: mirror.folder)
            #expect(try await transport.blob(try #require(ObjectID(hex: largeBlob))) == Array("n: 42\n".utf8))

            // The same request again writes nothing new: no second pack.
            #expect(
                try await transport.createCommit(
                    CommitRequest(parent: small, edits: Self.edits(bulk: 150), author: testAuthor, message: "large"))
                    == large)
            #expect(mirror.packCount == packsBefore + 1)

            #expect(try await transport.push(small, expecting: tip) == .pushed(small))
            #expect(DirectPushTests.routes(transport) == (1, 0), "pushed directly, not through receive-pack")
            #expect(try await transport.push(large, expecting: small) == .pushed(large))
            #expect(DirectPushTests.routes(transport) == (2, 0), "pushed directly, not through receive-pack")
            let remote = LocalRepository(folder: context.repository.path)
            #expect(!Platform.exists(remote.looseObjectPath(try #require(ObjectID(hex: largeBlob)))), "pushed as a pack")
            try await context.repository.git(["fsck", "--strict", "--no-dangling"])
            for backend in Backend.allCases {
                let reader = try await context.open(backend, mirror: "reader-\(backend)")
                #expect(try await reader.fetch() == large)
                let new = try #require(try await reader.treeEntries(at: large, under: "a-b").first)
                #expect(new.path == "a-b/new")
                #expect(try await reader.blob(new.id) == Array("new\n".utf8))
            }
        }
    }
}
