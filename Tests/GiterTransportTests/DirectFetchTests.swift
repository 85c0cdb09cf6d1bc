import Foundation
import GitServerFixtures
import Giter
@testable import GiterLibGit2
import GiterLocalGit
import Synchronization
import Testing

/// The fetch fast path of the libgit2 backend for bare repositories on this
/// machine: a short linear history on top of the tracking ref is copied in
/// process; anything else goes through git-upload-pack, with the same result.
@Suite("Direct fetch from a repository on this machine")
struct DirectFetchTests {
    /// How many fetches of `transport` found nothing to do, copied objects directly, or ran upload-pack.
    static func routes(_ transport: LibGit2Transport) -> (upToDate: Int, direct: Int, uploadPack: Int) {
        (transport.fetchRoutes.upToDate, transport.fetchRoutes.direct, transport.fetchRoutes.uploadPack)
    }

    static func open(_ context: RemoteContext, mirror name: String) async throws -> LibGit2Transport {
        try await LibGit2Transport(configuration: context.configuration(mirror: name))
    }

    static func change(_ transport: any Transport, on parent: ObjectID?, _ edits: [PathEdit]) async throws -> ObjectID {
        try await transport.createCommit(
            CommitRequest(parent: parent, edits: edits, author: testAuthor, message: "change \(edits.count) paths"))
    }

    static func write(_ path: String, _ text: String) -> PathEdit { .write(path: path, contents: Array(text.utf8)) }

    /// `git fsck --strict` on the mirror of `name`.
    static func expectCleanMirror(_ context: RemoteContext, _ name: String) async throws {
        let mirror = context.configuration(mirror: name).mirrorPath
        let fsck = try await runGit(["--git-dir=\(mirror)", "fsck", "--strict", "--no-dangling"])
        #expect(fsck.succeeded, "\(fsck)")
    }

    @Test(arguments: [RemoteKind.localPath, .fileURL])
    func newCommitsAreCopiedDirectlyAndReadable(remote: RemoteKind) async throws {
        try await withRemote(remote, seeded: true) { context in
            let producer = try await Self.open(context, mirror: "producer")
            let consumer = try await Self.open(context, mirror: "consumer")
            let seed = try #require(try await producer.fetch())
            #expect(try await consumer.fetch() == seed)
            #expect(Self.routes(consumer) == (0, 0, 1), "a mirror without a tracking ref fetches through upload-pack")

            // Three commits: new nested files, a change, a deletion.
            let first = try await Self.change(
                producer, on: seed,
                [Self.write("resources/ns/Kind/a.yaml", "a: 1\n"), Self.write("resources/ns/Kind/b.yaml", "b: 1\n"),
                 Self.write("resources/other/c.yaml", "c: 1\n")])
            #expect(try await producer.push(first, expecting: seed) == .pushed(first))
            let second = try await Self.change(producer, on: first, [Self.write("resources/ns/Kind/a.yaml", "a: 2\n")])
            #expect(try await producer.push(second, expecting: first) == .pushed(second))
            let third = try await Self.change(producer, on: second, [.delete(path: "resources/other/c.yaml")])
            #expect(try await producer.push(third, expecting: second) == .pushed(third))

            #expect(try await consumer.fetch() == third)
            #expect(Self.routes(consumer) == (0, 1, 1))
            #expect(try await consumer.resolve("refs/remotes/origin/main") == third)
            let entries = try await consumer.treeEntries(at: third, under: "resources")
            #expect(entries.map(\.path) == ["resources/ns/Kind/a.yaml", "resources/ns/Kind/b.yaml"])
            let a = try #require(entries.first)
            #expect(try await consumer.blob(a.id) == Array("a: 2\n".utf8))
            let changes = try await consumer.changes(from: seed, to: third, under: nil)
            #expect(changes.map(\.path) == ["resources/ns/Kind/a.yaml", "resources/ns/Kind/b.yaml"])
            let history = try await consumer.history(of: "resources/ns/Kind/a.yaml", from: third, limit: nil)
            #expect(history.map(\.id) == [second, first])

            // Nothing new: answered without copying or spawning anything.
            #expect(try await consumer.fetch() == third)
            #expect(Self.routes(consumer) == (1, 1, 1))
            try await Self.expectCleanMirror(context, "consumer")
        }
    }

    @Test(arguments: [RemoteKind.localPath, .fileURL])
    func commitsWrittenByGitAndRepackedAreCopiedDirectly(remote: RemoteKind) async throws {
        try await withRemote(remote, seeded: true) { context in
            let consumer = try await Self.open(context, mirror: "consumer")
            let seed = try #require(try await consumer.fetch())
            var tip = seed
            for index in 0..<3 {
                tip = try #require(
                    ObjectID(hex: try await context.repository.commit(
                        files: ["README": "seed\n", "file-\(index)": "\(index)\n"], message: "git \(index)",
                        onto: "refs/heads/main")))
            }
            // The new objects now live in a pack, the old ones too.
            try await context.repository.git(["repack", "-a", "-d", "-q"])
            #expect(try await consumer.fetch() == tip)
            #expect(Self.routes(consumer) == (0, 1, 1))
            #expect(try await consumer.treeEntries(at: tip, under: nil).map(\.path) == ["README", "file-2"])
            try await Self.expectCleanMirror(context, "consumer")
        }
    }

    @Test(arguments: [RemoteKind.localPath, .fileURL])
    func rewrittenHistoryFallsBackAndStaysCorrect(remote: RemoteKind) async throws {
        try await withRemote(remote, seeded: true) { context in
            let producer = try await Self.open(context, mirror: "producer")
            let consumer = try await Self.open(context, mirror: "consumer")
            let seed = try #require(try await producer.fetch())
            _ = try await consumer.fetch()
            let first = try await Self.change(producer, on: seed, [Self.write("a.yaml", "a\n")])
            #expect(try await producer.push(first, expecting: seed) == .pushed(first))
            #expect(try await consumer.fetch() == first)

            // Unrelated history (a root commit made in the remote, set as main).
            let orphan = try #require(
                ObjectID(hex: try await context.repository.commit(
                    files: ["orphan.yaml": "o\n"], message: "orphan", onto: "refs/heads/orphan")))
            try await context.repository.git(["update-ref", "refs/heads/main", orphan.hex])
            try await context.repository.git(["update-ref", "-d", "refs/heads/orphan"])
            #expect(try await consumer.fetch() == orphan)
            #expect(Self.routes(consumer) == (0, 1, 2), "unrelated history goes through upload-pack")
            #expect(try await consumer.treeEntries(at: orphan, under: nil).map(\.path) == ["orphan.yaml"])

            // Rewound to a commit the mirror has: the tracking ref moves back.
            try await context.repository.git(["update-ref", "refs/heads/main", first.hex])
            #expect(try await consumer.fetch() == first)
            #expect(Self.routes(consumer) == (0, 2, 2))

            // A merge on top of the tracking tip.
            let mergeTree = try await context.repository.git(["rev-parse", "\(first.hex)^{tree}"]).trimmedStdout
            let merge = try await context.repository.git(
                ["commit-tree", mergeTree, "-p", first.hex, "-p", seed.hex, "-m", "merge"]).trimmedStdout
            try await context.repository.git(["update-ref", "refs/heads/main", merge])
            #expect(try await consumer.fetch() == ObjectID(hex: merge))
            #expect(Self.routes(consumer) == (0, 2, 3), "a merge goes through upload-pack")

            // More commits than a direct fetch copies.
            var tip = try #require(ObjectID(hex: merge))
            let base = tip
            _ = try await producer.fetch()
            for index in 0...Repository.directFetchLimit {
                tip = try await Self.change(producer, on: tip, [Self.write("long/\(index % 7).yaml", "\(index)\n")])
            }
            #expect(try await producer.push(tip, expecting: base) == .pushed(tip))
            #expect(try await consumer.fetch() == tip)
            #expect(Self.routes(consumer) == (0, 2, 4), "a long history goes through upload-pack")
            #expect(try await consumer.blob(try #require(try await consumer.treeEntries(at: tip, under: "long").first).id)
                == Array("\(Repository.directFetchLimit - Repository.directFetchLimit % 7)\n".utf8))

            // And the next short step is direct again.
            let next = try await Self.change(producer, on: tip, [Self.write("a.yaml", "after\n")])
            #expect(try await producer.push(next, expecting: tip) == .pushed(next))
            #expect(try await consumer.fetch() == next)
            #expect(Self.routes(consumer) == (0, 3, 4))
            try await Self.expectCleanMirror(context, "consumer")
        }
    }

    @Test(arguments: [RemoteKind.localPath, .fileURL])
    func remoteTipReadsThroughTheKeptRemote(remote: RemoteKind) async throws {
        try await withRemote(remote, seeded: true) { context in
            // A configuration changed just now is never kept (see DirectPushTarget).
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -60)],
                ofItemAtPath: context.repository.url.appendingPathComponent("config").path)
            let producer = try await Self.open(context, mirror: "producer")
            let consumer = try await Self.open(context, mirror: "consumer")
            let seed = try #require(try await producer.fetch())
            #expect(try await consumer.fetch() == seed)
            #expect(consumer.directPushTargets.keptTarget(at: LocalRepository(folder: context.repository.path)) != nil)

            let next = try await Self.change(producer, on: seed, [Self.write("a.yaml", "a\n")])
            #expect(try await producer.push(next, expecting: seed) == .pushed(next))
            #expect(try await consumer.remoteTip() == next)
            try await context.repository.git(["update-ref", "-d", "refs/heads/main"])
            #expect(try await consumer.remoteTip() == nil)
            #expect(try await consumer.fetch() == nil)
            #expect(try await consumer.resolve("refs/remotes/origin/main") == seed, "a missing branch leaves the tracking ref")

            // Another repository in the same place: the kept one is not used.
            try FileManager.default.removeItem(at: context.repository.url)
            let replacement = try await BareRepository.create(at: context.repository.url, seeded: true)
            let replaced = try #require(try await replacement.resolve("refs/heads/main"))
            #expect(consumer.directPushTargets.keptTarget(at: LocalRepository(folder: context.repository.path)) == nil)
            #expect(try await consumer.remoteTip()?.hex == replaced)
            #expect(try await consumer.fetch()?.hex == replaced)
        }
    }

    @Test("releaseCaches drops the kept remote; the next fetch opens it again and keeps it")
    func releaseCachesDropsTheKeptRemote() async throws {
        try await withRemote(.localPath, seeded: true) { context in
            // A configuration changed just now is never kept (see DirectPushTarget).
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: -60)],
                ofItemAtPath: context.repository.url.appendingPathComponent("config").path)
            let consumer = try await Self.open(context, mirror: "consumer")
            let local = LocalRepository(folder: context.repository.path)
            let seed = try #require(try await consumer.fetch())
            #expect(consumer.directPushTargets.keptTarget(at: local) != nil)
            let opened = consumer.directPushTargets.opened
            #expect(try await consumer.fetch() == seed)
            #expect(consumer.directPushTargets.opened == opened, "a kept remote is used again, not opened again")

            try await consumer.releaseCaches()
            #expect(consumer.directPushTargets.keptTarget(at: local) == nil, "releaseCaches gives the kept remote back")
            #expect(try await consumer.fetch() == seed)
            #expect(consumer.directPushTargets.opened == opened + 1)
            #expect(consumer.directPushTargets.keptTarget(at: local) != nil)
        }
    }

    /// Remote set-ups a direct fetch leaves to upload-pack.
    enum Unusual: String, CaseIterable, Sendable, CustomStringConvertible {
        case alternates
        case shallow
        case notBare
        var description: String { rawValue }
    }

    @Test(arguments: Unusual.allCases)
    func unusualRemotesFallBack(unusual: Unusual) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let consumer = try await Self.open(context, mirror: "consumer")
            let seed = try #require(try await consumer.fetch())
            let next = try #require(
                ObjectID(hex: try await context.repository.commit(
                    files: ["README": "seed\n", "new": "new\n"], message: "next", onto: "refs/heads/main")))
            let repository = context.repository.url
            switch unusual {
            case .alternates:
                let other = try await BareRepository.create(
                    at: context.scratch.appendingPathComponent("other.git"), seeded: false)
                let info = repository.appendingPathComponent("objects/info")
                try FileManager.default.createDirectory(at: info, withIntermediateDirectories: true)
                try Data((other.path + "/objects\n").utf8).write(to: info.appendingPathComponent("alternates"))
            case .shallow:
                // The remote claims its seed commit's parents are cut off.
                try Data((seed.hex + "\n").utf8).write(to: repository.appendingPathComponent("shallow"))
            case .notBare:
                try await context.repository.git(["config", "core.bare", "false"])
            }
            if unusual == .shallow {
                // libgit2 1.5 cannot read the `shallow` lines upload-pack
                // then advertises: the fetch fails as it did before direct
                // fetches, and the tracking ref stays.
                await #expect(throws: TransportError.self) { try await consumer.fetch() }
                #expect(Self.routes(consumer) == (0, 0, 2), "the shallow remote goes through upload-pack")
                #expect(try await consumer.resolve("refs/remotes/origin/main") == seed)
                return
            }
            #expect(try await consumer.fetch() == next)
            #expect(Self.routes(consumer) == (0, 0, 2), "the \(unusual) remote goes through upload-pack")
            #expect(try await consumer.treeEntries(at: next, under: nil).map(\.path) == ["README", "new"])
            // Nothing new is still answered by reading the ref.
            #expect(try await consumer.fetch() == next)
            #expect(Self.routes(consumer) == (1, 0, 2))
        }
    }

    /// Pushes of several writers race the fetches of a reader: every tip the
    /// reader gets is complete in its mirror, and it ends at the remote's tip.
    @Test(arguments: [RemoteKind.localPath, .fileURL])
    func fetchesDuringConcurrentPushesSeeCompleteCommits(remote: RemoteKind) async throws {
        try await withRemote(remote, seeded: true) { context in
            try await context.repository.git(["config", "--unset-all", "receive.fsckObjects"])
            let writers = 4
            let commitsPerWriter = 8
            var transports: [LibGit2Transport] = []
            for index in 0..<writers {
                let transport = try await Self.open(context, mirror: "writer-\(index)")
                _ = try await transport.fetch()
                transports.append(transport)
            }
            let reader = try await Self.open(context, mirror: "reader")
            _ = try await reader.fetch()
            let finished = Counter()

            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, transport) in transports.enumerated() {
                    group.addTask {
                        defer { finished.increment() }
                        for round in 0..<commitsPerWriter {
                            var landed = false
                            for _ in 0..<500 {
                                let tip = try await transport.fetch()
                                let commit = try await Self.change(
                                    transport, on: tip, [Self.write("writers/\(index)/\(round).yaml", "\(index) \(round)\n")])
                                if case .pushed = try await transport.push(commit, expecting: tip) {
                                    landed = true
                                    break
                                }
                            }
                            if !landed { throw FixtureError("writer \(index) never got round \(round) in") }
                        }
                    }
                }
                group.addTask {
                    while finished.value < writers {
                        guard let tip = try await reader.fetch() else { continue }
                        // Every object of the fetched tip is in the mirror.
                        for entry in try await reader.treeEntries(at: tip, under: nil) {
                            _ = try await reader.blob(entry.id)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let tip = try #require(try await reader.fetch())
            #expect(tip.hex == (try await context.repository.resolve("refs/heads/main")))
            let paths = try await reader.treeEntries(at: tip, under: "writers").map(\.path)
            #expect(paths.count == writers * commitsPerWriter)
            #expect(Self.routes(reader).direct > 0, "some fetches copied directly")
            try await Self.expectCleanMirror(context, "reader")
            for index in 0..<writers { try await Self.expectCleanMirror(context, "writer-\(index)") }
        }
    }
}

/// A counter shared by the tasks of a test.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
