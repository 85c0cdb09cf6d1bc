import Foundation
import GitServerFixtures
import Giter
import GiterLocalGit
import Testing

extension DirectPushTests {
    /// The pack folder entries a copy may leave behind: none once it is done.
    static func stagingFolders(in repository: LocalRepository) -> [String] {
        Platform.entryNames(in: repository.packFolder).filter { $0.hasPrefix("tmp_giter_pack_") }
    }

    /// The blob `revision` (`<commit>:<path>`) names in the remote.
    static func blobID(_ context: RemoteContext, _ revision: String) async throws -> String {
        try await context.repository.git(["rev-parse", "--verify", revision]).trimmedStdout
    }

    /// A direct push of at least `receive.unpackLimit` objects (100 by
    /// default) is kept the way receive-pack keeps it, on both backends:
    /// one pack with its index, no staging folder left behind (the git CLI
    /// backend copies the pack its commit wrote); a push of fewer objects
    /// stays loose. Git reads both and `fsck` passes, and a mirror of
    /// either backend fetches them — each direct fetch copies as one pack
    /// too.
    @Test(arguments: Backend.allCases)
    func aLargePushIsKeptAsOnePackASmallOneLoose(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            let remote = LocalRepository(folder: context.repository.path)
            let transport = try await context.open(backend, mirror: "producer")
            let tip = try #require(try await transport.fetch())
            // Readers with a tracking ref already, so that their next fetch may copy directly.
            var readers: [(Backend, any Transport)] = []
            for reader in Backend.allCases {
                let opened = try await context.open(reader, mirror: "reader-\(reader)")
                #expect(try await opened.fetch() == tip)
                readers.append((reader, opened))
            }
            let packsBefore = remote.packCount

            let edits = (0..<120).map { index in
                PathEdit.write(path: "resources/ns/Kind/b\(index % 7)/item-\(index).yaml", contents: Array("n: \(index)\n".utf8))
            }
            let large = try await transport.createCommit(
                CommitRequest(parent: tip, edits: edits, author: testAuthor, message: "write 120 files"))
            #expect(try await transport.push(large, expecting: tip) == .pushed(large))
            #expect(Self.routes(transport) == (1, 0))
            #expect(try await context.repository.resolve("refs/heads/main") == large.hex)
            let largeBlob = try await Self.blobID(context, "main:resources/ns/Kind/b3/item-10.yaml")
            let largeBlobID = try #require(ObjectID(hex: largeBlob))
            let largeBlobFile = remote.looseObjectPath(largeBlobID)
            #expect(remote.packCount == packsBefore + 1, "one pack for the whole push")
            #expect(!FileManager.default.fileExists(atPath: largeBlobFile), "the blob is in the pack, not loose")
            #expect(Self.stagingFolders(in: remote).isEmpty)

            let small = try await Self.change(transport, on: large, "resources/ns/Kind/small.yaml", "small\n")
            #expect(try await transport.push(small, expecting: large) == .pushed(small))
            #expect(Self.routes(transport) == (2, 0))
            let smallBlob = try await Self.blobID(context, "main:resources/ns/Kind/small.yaml")
            let smallBlobID = try #require(ObjectID(hex: smallBlob))
            #expect(FileManager.default.fileExists(atPath: remote.looseObjectPath(smallBlobID)))
            #expect(remote.packCount == packsBefore + 1, "a small push adds no pack")

            // Git reads everything; the object store is consistent.
            let fsck = try await context.repository.git(["fsck", "--strict", "--no-dangling"])
            #expect(fsck.succeeded, "\(fsck)")
            let shown = try await context.repository.git(["cat-file", "-p", "main:resources/ns/Kind/b3/item-10.yaml"])
            #expect(shown.stdout == "n: 10\n")

            // Both readers fetch the two commits and read a file of the large one.
            for (reader, opened) in readers {
                let mirror = LocalRepository(folder: context.configuration(mirror: "reader-\(reader)").mirrorPath)
                let mirrorPacks = mirror.packCount
                #expect(try await opened.fetch() == small, "\(reader)")
                let entries = try await opened.treeEntries(at: large, under: "resources/ns/Kind/b3")
                let entry = try #require(entries.first { $0.path == "resources/ns/Kind/b3/item-10.yaml" }, "\(reader)")
                #expect(try await opened.blob(entry.id) == Array("n: 10\n".utf8), "\(reader)")
                #expect(Self.stagingFolders(in: mirror).isEmpty)
                #expect(mirror.packCount == mirrorPacks + 1, "the direct fetch copies the large commit as a pack")
            }
        }
    }
}
