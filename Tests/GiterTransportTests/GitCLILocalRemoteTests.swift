import Foundation
import GitServerFixtures
import Giter
@testable import GiterGitCLI
import GiterLocalGit
import Testing

/// The git CLI backend against a repository on this machine: the remote's
/// branch read from its files, fetches answered or copied without
/// `git fetch`, and reads computed from `cat-file` output (tree diffs,
/// linear runs of commits) that must say what `git diff-tree` and
/// `git rev-list` say.
@Suite("git CLI backend: fetches and reads without a process per call")
struct GitCLILocalRemoteTests {
    static func routes(_ transport: GitCLITransport) -> (upToDate: Int, direct: Int, uploadPack: Int) {
        (transport.fetchRoutes.upToDate, transport.fetchRoutes.direct, transport.fetchRoutes.uploadPack)
    }

    static func open(_ context: RemoteContext, mirror name: String) async throws -> GitCLITransport {
        try await GitCLITransport(configuration: context.configuration(mirror: name))
    }

    static func write(_ path: String, _ text: String) -> PathEdit { .write(path: path, contents: Array(text.utf8)) }

    static func change(_ transport: any Transport, on parent: ObjectID?, _ edits: [PathEdit]) async throws -> ObjectID {
        try await DirectFetchTests.change(transport, on: parent, edits)
    }

    @Test(arguments: [RemoteKind.localPath, .fileURL])
    func newCommitsAreCopiedWithoutGitFetch(remote: RemoteKind) async throws {
        try await withRemote(remote, seeded: true) { context in
            let producer = try await Self.open(context, mirror: "producer")
            let consumer = try await Self.open(context, mirror: "consumer")
            let seed = try #require(try await producer.fetch())
            #expect(try await consumer.fetch() == seed)
            #expect(Self.routes(consumer) == (0, 0, 1), "a mirror without a tracking ref runs git fetch")

            let first = try await Self.change(
                producer, on: seed,
                [Self.write("resources/ns/Kind/a.yaml", "a: 1\n"), Self.write("resources/ns/Kind/b.yaml", "b: 1\n"),
                 Self.write("resources/other/c.yaml", "c: 1\n")])
            #expect(try await producer.push(first, expecting: seed) == .pushed(first))
            let second = try await Self.change(producer, on: first, [Self.write("resources/ns/Kind/a.yaml", "a: 2\n")])
            #expect(try await producer.push(second, expecting: first) == .pushed(second))
            let third = try await Self.change(producer, on: second, [.delete(path: "resources/other/c.yaml")])
            #expect(try await producer.push(third, expecting: second) == .pushed(third))
            // The producer's own pushes: its tip is in its mirror already.
            #expect(try await producer.fetch() == third)
            #expect(Self.routes(producer).uploadPack == 1)

            #expect(try await consumer.remoteTip() == third)
            #expect(try await consumer.fetch() == third)
            #expect(Self.routes(consumer) == (0, 1, 1))
            #expect(try await consumer.resolve("refs/remotes/origin/main") == third)
            let entries = try await consumer.treeEntries(at: third, under: "resources")
            #expect(entries.map(\.path) == ["resources/ns/Kind/a.yaml", "resources/ns/Kind/b.yaml"])
            #expect(try await consumer.blob(try #require(entries.first).id) == Array("a: 2\n".utf8))
            let changes = try await consumer.changes(from: seed, to: third, under: nil)
            #expect(changes.map(\.path) == ["resources/ns/Kind/a.yaml", "resources/ns/Kind/b.yaml"])
            #expect(try await consumer.commits(from: third, excluding: seed, limit: nil).map(\.id) == [third, second, first])
            #expect(try await consumer.commits(from: third, excluding: seed, limit: 2).map(\.id) == [third, second])

            // Nothing new: the ref is read, and no git process starts.
            let launches = consumer.processLaunches
            #expect(try await consumer.remoteTip() == third)
            #expect(try await consumer.fetch() == third)
            #expect(consumer.processLaunches == launches)
            #expect(Self.routes(consumer) == (1, 1, 1))
            try await DirectFetchTests.expectCleanMirror(context, "consumer")
        }
    }

    @Test
    func commitsWrittenByGitAndRepackedAreCopied() async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let consumer = try await Self.open(context, mirror: "consumer")
            let seed = try #require(try await consumer.fetch())
            var tip = seed
            for index in 0..<3 {
                tip = try #require(
                    ObjectID(hex: try await context.repository.commit(
                        files: ["README": "seed\n", "file-\(index)": "\(index)\n"], message: "git \(index)",
                        onto: "refs/heads/main")))
            }
            try await context.repository.git(["repack", "-a", "-d", "-q"])
            #expect(try await consumer.fetch() == tip)
            #expect(Self.routes(consumer) == (0, 1, 1))
            #expect(try await consumer.treeEntries(at: tip, under: nil).map(\.path) == ["README", "file-2"])
            try await DirectFetchTests.expectCleanMirror(context, "consumer")
        }
    }

    @Test
    func historyADirectFetchDoesNotCopyGoesThroughGitFetch() async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let producer = try await Self.open(context, mirror: "producer")
            let consumer = try await Self.open(context, mirror: "consumer")
            let seed = try #require(try await producer.fetch())
            _ = try await consumer.fetch()
            let first = try await Self.change(producer, on: seed, [Self.write("a.yaml", "a\n")])
            #expect(try await producer.push(first, expecting: seed) == .pushed(first))
            #expect(try await consumer.fetch() == first)
            #expect(Self.routes(consumer) == (0, 1, 1))

            // Unrelated history.
            let orphan = try #require(
                ObjectID(hex: try await context.repository.commit(
                    files: ["orphan.yaml": "o\n"], message: "orphan", onto: "refs/heads/orphan")))
            try await context.repository.git(["update-ref", "refs/heads/main", orphan.hex])
            #expect(try await consumer.fetch() == orphan)
            #expect(Self.routes(consumer) == (0, 1, 2), "unrelated history goes through git fetch")

            // Rewound to a commit the mirror has.
            try await context.repository.git(["update-ref", "refs/heads/main", first.hex])
            #expect(try await consumer.fetch() == first)
            #expect(Self.routes(consumer) == (0, 2, 2))

            // A merge.
            let mergeTree = try await context.repository.git(["rev-parse", "\(first.hex)^{tree}"]).trimmedStdout
            let merge = try #require(
                ObjectID(hex: try await context.repository.git(
                    ["commit-tree", mergeTree, "-p", first.hex, "-p", orphan.hex, "-m", "merge"]).trimmedStdout))
            try await context.repository.git(["update-ref", "refs/heads/main", merge.hex])
            #expect(try await consumer.fetch() == merge)
            #expect(Self.routes(consumer) == (0, 2, 3), "a merge goes through git fetch")
            // rev-list answers for the merge (two parents), the walk for the rest.
            #expect(try await consumer.commits(from: merge, excluding: first, limit: nil).map(\.id) == [merge, orphan])

            // More commits than a direct fetch copies.
            _ = try await producer.fetch()
            var tip = merge
            for index in 0...GitCLITransport.directFetchCommitLimit {
                tip = try await Self.change(producer, on: tip, [Self.write("long/\(index % 7).yaml", "\(index)\n")])
            }
            #expect(try await producer.push(tip, expecting: merge) == .pushed(tip))
            #expect(try await consumer.fetch() == tip)
            #expect(Self.routes(consumer) == (0, 2, 4), "a long history goes through git fetch")
            let long = try await consumer.commits(from: tip, excluding: merge, limit: nil)
            #expect(long.count == GitCLITransport.directFetchCommitLimit + 1, "rev-list lists a run longer than the walk")

            let next = try await Self.change(producer, on: tip, [Self.write("a.yaml", "after\n")])
            #expect(try await producer.push(next, expecting: tip) == .pushed(next))
            #expect(try await consumer.fetch() == next)
            #expect(Self.routes(consumer) == (0, 3, 4))

            // A missing branch: git fetch drops the tracking ref, as before.
            try await context.repository.git(["update-ref", "-d", "refs/heads/main"])
            #expect(try await consumer.remoteTip() == nil)
            #expect(try await consumer.fetch() == nil)
            #expect(try await consumer.resolve("refs/remotes/origin/main") == nil)
            try await DirectFetchTests.expectCleanMirror(context, "consumer")
        }
    }

    @Test
    func anObjectNotWhatItsNameSaysIsNotCopied() async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let producer = try await Self.open(context, mirror: "producer")
            let consumer = try await Self.open(context, mirror: "consumer")
            let seed = try #require(try await producer.fetch())
            _ = try await consumer.fetch()
            let next = try await Self.change(producer, on: seed, [Self.write("a.yaml", "honest\n")])
            #expect(try await producer.push(next, expecting: seed) == .pushed(next))
            // The remote's blob file now holds other contents under the same name.
            let blob = try #require(try await producer.treeEntries(at: next, under: nil).first { $0.path == "a.yaml" })
            let remote = LocalRepository(folder: context.repository.path)
            let forged = try await context.repository.git(["hash-object", "-w", "--stdin"], input: Data("forged\n".utf8))
            let forgedID = try #require(ObjectID(hex: forged.trimmedStdout))
            let path = remote.looseObjectPath(blob.id)
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: remote.looseObjectPath(forgedID), toPath: path)
            await #expect(throws: TransportError.self) { try await consumer.fetch() }
            #expect(Self.routes(consumer).direct == 0, "nothing was copied under a wrong name")
            #expect(try await consumer.resolve("refs/remotes/origin/main") == seed)
        }
    }
}

extension GitCLILocalRemoteTests {
    /// A direct fetch of at least `receive.unpackLimit` (100) objects
    /// writes them into the mirror as one pack (``PackFileWriter``) that
    /// Git reads and `fsck --strict` accepts, with no scratch or staging
    /// file left; a forged object among them drops the whole pack and
    /// moves no ref.
    @Test
    func aLargeFetchIsOnePackAndAForgedObjectDropsIt() async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let producer = try await Self.open(context, mirror: "producer")
            let consumer = try await Self.open(context, mirror: "consumer")
            let seed = try #require(try await producer.fetch())
            #expect(try await consumer.fetch() == seed)
            let mirror = LocalRepository(folder: context.configuration(mirror: "consumer").mirrorPath)
            let packs = mirror.packCount
            func files(_ prefix: String) -> [PathEdit] {
                (0..<150).map { Self.write("resources/ns/Kind/b\($0 % 9)/\(prefix)-\($0).yaml", "n: \($0)\n") }
            }

            let large = try await Self.change(producer, on: seed, files("a"))
            #expect(try await producer.push(large, expecting: seed) == .pushed(large))
            #expect(try await consumer.fetch() == large)
            #expect(Self.routes(consumer).direct == 1)
            #expect(mirror.packCount == packs + 1, "one pack for the fetched objects")
            let entry = try #require(
                try await consumer.treeEntries(at: large, under: "resources/ns/Kind/b4").first { $0.path.hasSuffix("/a-4.yaml") })
            #expect(!Platform.exists(mirror.looseObjectPath(entry.id)), "the blob is in the pack, not loose")
            #expect(try await consumer.blob(entry.id) == Array("n: 4\n".utf8))
            try await runGitChecked(["--git-dir", mirror.folder, "fsck", "--strict", "--no-dangling"])
            #expect(Platform.entryNames(in: mirror.packFolder).allSatisfy { !$0.hasPrefix("tmp_giter_pack_") })
            try await DirectFetchTests.expectCleanMirror(context, "consumer")

            // A commit of 120 loose objects written into the remote by Git's plumbing, one of them then forged.
            let next = try await context.repository.commit(
                files: Dictionary(uniqueKeysWithValues: (0..<120).map { ("b-\($0).yaml", "b: \($0)\n") }),
                message: "120 files", onto: "refs/heads/main")
            let nextID = try #require(ObjectID(hex: next))
            let blob = try #require(ObjectID(hex: try await context.repository.git(["rev-parse", "\(next):b-7.yaml"]).trimmedStdout))
            let remote = LocalRepository(folder: context.repository.path)
            let forged = try await context.repository.git(["hash-object", "-w", "--stdin"], input: Data("forged\n".utf8))
            let path = remote.looseObjectPath(blob)
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(
                atPath: remote.looseObjectPath(try #require(ObjectID(hex: forged.trimmedStdout))), toPath: path)
            #expect(try await consumer.remoteTip() == nextID)
            await #expect(throws: TransportError.self) { try await consumer.fetch() }
            #expect(Self.routes(consumer).direct == 1, "nothing was copied under a wrong name")
            // The pack route: blobs read before the forged one were not written loose either.
            let before = try #require(ObjectID(hex: try await context.repository.git(["rev-parse", "\(next):b-0.yaml"]).trimmedStdout))
            #expect(!Platform.exists(mirror.looseObjectPath(before)))
            // (`git fetch`, tried next, fails too: Git names the forged bytes by what they are.)
            let present = try await runGit(["--git-dir", mirror.folder, "cat-file", "-e", blob.hex])
            #expect(!present.succeeded, "no object under the forged name")
            #expect(try await consumer.resolve("refs/remotes/origin/main") == large)
            #expect(Platform.entryNames(in: mirror.packFolder).allSatisfy { !$0.hasPrefix("tmp_giter_pack_") })
        }
    }

    /// A tree object written as given (`hash-object --literally`), so that
    /// modes Git would normalise can be tested.
    static func tree(_ entries: [(mode: String, name: String, id: String)], in context: RemoteContext) async throws -> String {
        // Git's order: by name, a folder's name compared as if it ended in "/".
        let sorted = entries.sorted {
            Array(($0.mode == "40000" ? $0.name + "/" : $0.name).utf8)
                .lexicographicallyPrecedes(Array(($1.mode == "40000" ? $1.name + "/" : $1.name).utf8))
        }
        var bytes: [UInt8] = []
        for entry in sorted {
            bytes += Array("\(entry.mode) \(entry.name)".utf8) + [0]
            var hex = Array(entry.id.utf8)[...]
            while hex.count >= 2 {
                bytes.append(UInt8(String(decoding: hex.prefix(2), as: UTF8.self), radix: 16)!)
                hex = hex.dropFirst(2)
            }
        }
        return try await context.repository.git(
            ["hash-object", "-t", "tree", "-w", "--literally", "--stdin"], input: Data(bytes)).trimmedStdout
    }

    static func blob(_ text: String, in context: RemoteContext) async throws -> String {
        try await context.repository.git(["hash-object", "-w", "--stdin"], input: Data(text.utf8)).trimmedStdout
    }

    @Test
    func treeDiffSaysWhatDiffTreeSays() async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let a = try await Self.blob("a\n", in: context)
            let b = try await Self.blob("b\n", in: context)
            let x = String(repeating: "1", count: 40)
            let y = String(repeating: "2", count: 40)
            let same = try await Self.tree([("100644", "s", a)], in: context)
            let oldDeep = try await Self.tree([("100644", "z", a)], in: context)
            let newDeep = try await Self.tree([("100644", "z", b), ("100755", "w", a)], in: context)
            let oldRoot = try await Self.tree(
                [
                    ("40000", "same", same), ("100644", "f2d", a),
                    ("40000", "d2f", try await Self.tree([("100644", "y", a)], in: context)),
                    ("100644", "mode", a), ("100664", "odd", a), ("100644", "link", a), ("160000", "sub", x),
                    ("40000", "nested", try await Self.tree([("40000", "deep", oldDeep)], in: context)),
                    ("100644", "gone", a), ("100755", "f2d.x", a),
                ], in: context)
            let newRoot = try await Self.tree(
                [
                    ("40000", "same", same), ("40000", "f2d", try await Self.tree([("100644", "x", b)], in: context)),
                    ("100644", "d2f", b), ("100755", "mode", a), ("100644", "odd", a), ("120000", "link", a),
                    ("160000", "sub", y),
                    ("40000", "nested", try await Self.tree([("40000", "deep", newDeep)], in: context)),
                    ("100644", "added", b), ("100755", "f2d.x", b),
                ], in: context)
            let old = try await context.repository.git(["commit-tree", oldRoot, "-m", "old"]).trimmedStdout
            let new = try await context.repository.git(["commit-tree", newRoot, "-p", old, "-m", "new"]).trimmedStdout
            try await context.repository.git(["update-ref", "refs/heads/main", new])
            let consumer = try await Self.open(context, mirror: "consumer")
            let tip = try #require(try await consumer.fetch())
            let base = try #require(ObjectID(hex: old))

            for folder in [nil, "nested", "nested/deep", "f2d", "d2f", "same", "missing"] as [String?] {
                for from in [base, nil] as [ObjectID?] {
                    var arguments = [
                        "--git-dir=\(context.repository.path)", "diff-tree", "-r", "-z", "--no-renames", "--raw",
                        "--full-index", from?.hex ?? GitObjectReader.emptyTree(like: tip), tip.hex,
                    ]
                    if let folder { arguments += ["--", folder] }
                    let diffTree = try await runGitChecked(arguments)
                    let expected = try GitOutput.pathChanges(Array(diffTree.stdout.utf8))
                        .filter { GitOutput.path($0.path, isUnder: folder) }
                        .sorted { GitOutput.byPath($0.path, $1.path) }
                    let computed = try #require(
                        try await consumer.reads.changesInProcess(from: from, to: tip, under: folder),
                        "computed in process for \(folder ?? "the root")")
                        .sorted { GitOutput.byPath($0.path, $1.path) }
                    #expect(computed == expected, "under \(folder ?? "the root") from \(from?.hex ?? "nothing")")
                    if folder == nil, from != nil {
                        // Each kind of change is there (so the comparison means something).
                        #expect(
                            computed.map(\.path) == [
                                "added", "d2f", "d2f/y", "f2d", "f2d.x", "f2d/x", "gone", "link", "mode", "nested/deep/w",
                                "nested/deep/z", "sub",
                            ])
                    }
                }
            }
        }
    }
}
