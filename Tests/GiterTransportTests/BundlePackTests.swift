import Foundation
import GitServerFixtures
import Giter
import Testing

/// ``Transport/packObjects(reachableFrom:excluding:)`` and
/// ``Transport/storePack(_:)``, what bundles are made of: every pair of
/// backends, packs git itself writes (thin ones included), and damaged packs.
@Suite("Packs for bundles")
struct BundlePackTests {
    static let pairs: [(Backend, Backend)] = Backend.allCases.flatMap { writer in Backend.allCases.map { (writer, $0) } }

    /// A repository with two commits; returns the context, the first and the second commit.
    static func twoCommits(
        _ writer: Backend, _ body: (RemoteContext, any Transport, ObjectID, ObjectID) async throws -> Void
    ) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let transport = try await context.open(writer, mirror: "writer")
            let first = try #require(try await transport.fetch())
            let second = try await transport.createCommit(
                CommitRequest(
                    parent: first,
                    edits: [.write(path: "resources/default/Job/job-1.yaml", contents: fileContents("spec:\n  size: 1\n"))],
                    author: testAuthor, message: "Job 1"))
            #expect(try await transport.push(second, expecting: first) == .pushed(second))
            try await body(context, transport, first, second)
        }
    }

    @Test(arguments: pairs.map { "\($0.0)→\($0.1)" })
    func aPackOfTheCommitsAfterABaseCarriesThemToAnotherMirror(_ pair: String) async throws {
        let (writer, reader) = try #require(Self.pairs.first { "\($0.0)→\($0.1)" == pair })
        try await Self.twoCommits(writer) { context, transport, first, second in
            // The receiver has the first commit only.
            try await context.repository.git(["update-ref", "refs/heads/main", first.hex, second.hex])
            let receiver = try await context.open(reader, mirror: "receiver")
            #expect(try await receiver.fetch() == first)
            #expect(try await receiver.resolve(second.hex) == nil)

            let delta = try await transport.packObjects(reachableFrom: second, excluding: first)
            let whole = try await transport.packObjects(reachableFrom: second, excluding: nil)
            #expect(delta.starts(with: Array("PACK".utf8)) && whole.starts(with: Array("PACK".utf8)))
            // The commit, the trees on the new file's path and its blob; not the base's objects.
            #expect((3...6).contains(Self.objectCount(delta)), "\(Self.objectCount(delta)) objects")
            #expect(Self.objectCount(whole) > Self.objectCount(delta))

            try await receiver.storePack(delta)
            #expect(try await receiver.resolve(second.hex) == second)
            let entries = try await receiver.treeEntries(at: second, under: "resources")
            let blob = try #require(entries.first { $0.path == "resources/default/Job/job-1.yaml" })
            #expect(try await receiver.blob(blob.id) == fileContents("spec:\n  size: 1\n"))
        }
    }

    /// `git bundle create` writes a thin pack, which leaves out objects the
    /// receiver has; both backends read its header and complete its pack.
    @Test(arguments: Backend.allCases)
    func aThinPackFromGitIsCompletedFromTheMirror(_ reader: Backend) async throws {
        try await Self.twoCommits(.gitCLI) { context, _, first, second in
            let file = context.scratch.appendingPathComponent("git.bundle")
            try await context.repository.git(["bundle", "create", "--quiet", file.path, "main", "^\(first.hex)"])
            let bundle = try BundleFile(decoding: Array(try Data(contentsOf: file)))
            #expect(bundle.prerequisites.map(\.id) == [first])
            let receiver = try await context.open(reader, mirror: "thin")
            try await context.repository.git(["update-ref", "refs/heads/main", first.hex, second.hex])
            #expect(try await receiver.fetch() == first)
            try await receiver.storePack(bundle.pack)
            #expect(try await receiver.resolve(second.hex) == second)
        }
    }

    @Test(arguments: Backend.allCases)
    func aDamagedPackIsRefusedAndLeavesNothing(_ reader: Backend) async throws {
        try await Self.twoCommits(reader) { context, transport, first, second in
            let pack = try await transport.packObjects(reachableFrom: second, excluding: first)
            try await context.repository.git(["update-ref", "refs/heads/main", first.hex, second.hex])
            var flipped = pack
            flipped[pack.count / 2] ^= 0x40
            let damaged: [(String, [UInt8])] = [
                ("truncated", Array(pack.prefix(pack.count - 25))),
                ("a changed byte", flipped),
                ("a changed checksum", Array(pack.dropLast()) + [pack[pack.count - 1] ^ 1]),
                ("no pack at all", Array("PACK".utf8)),
            ]
            for (index, (what, bytes)) in damaged.enumerated() {
                let receiver = try await context.open(reader, mirror: "damaged-\(index)")
                #expect(try await receiver.fetch() == first)
                let error = await transportError { try await receiver.storePack(bytes) }
                #expect(error?.code == .invalidArgument, "\(what): \(String(describing: error))")
                #expect(try await receiver.resolve(second.hex) == nil, "\(what): nothing was kept")
            }
        }
    }

    static func objectCount(_ pack: [UInt8]) -> Int {
        guard pack.count >= 12 else { return -1 }
        return pack[8..<12].reduce(0) { $0 << 8 | Int($1) }
    }
}
