import Foundation
import GitServerFixtures
import Giter
import GiterLocalGit
import Testing

/// A transport that is the only Giter process on its mirror removes the
/// ref lock files a killed process left there (``MirrorClaim``); one that
/// shares the mirror with a live transport removes none.
@Suite struct MirrorClaimTests {
    /// The lock files a process killed while moving the mirror's tracking ref leaves.
    static let leftLocks = ["refs/remotes/origin/main.lock", "packed-refs.lock"]

    @Test(arguments: Backend.allCases)
    func locksLeftInTheMirrorByADeadProcessAreRemovedAtOpen(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let writer = try await context.open(backend, mirror: "writer")
            let seed = try #require(try await writer.fetch())
            let mirror = LocalRepository(folder: context.configuration(mirror: "reader").mirrorPath)
            do {
                let first = try await context.open(backend, mirror: "reader")
                #expect(try await first.fetch() == seed)
            }
            // What a process killed while it held the locks leaves behind.
            for name in Self.leftLocks {
                #expect(FileManager.default.createFile(atPath: mirror.folder + name, contents: Data((seed.hex + "\n").utf8)))
            }
            let next = try await writer.createCommit(
                CommitRequest(
                    parent: seed, edits: [.write(path: "a.yaml", contents: Array("a: 1\n".utf8))], author: testAuthor,
                    message: "next"))
            #expect(try await writer.push(next, expecting: seed) == .pushed(next))

            let second = try await context.open(backend, mirror: "reader")
            for name in Self.leftLocks {
                #expect(!FileManager.default.fileExists(atPath: mirror.folder + name), "\(name) removed")
            }
            #expect(try await second.fetch() == next, "the tracking ref moves again")
            #expect(try await second.resolve("refs/remotes/origin/main") == next)

            // A second transport on a mirror a live one holds removes nothing.
            let lock = mirror.folder + Self.leftLocks[0]
            #expect(FileManager.default.createFile(atPath: lock, contents: Data((next.hex + "\n").utf8)))
            let sharing = try await context.open(backend, mirror: "reader")
            #expect(FileManager.default.fileExists(atPath: lock), "not removed while the mirror is held")
            _ = sharing
            try FileManager.default.removeItem(atPath: lock)
            _ = second
        }
    }
}
