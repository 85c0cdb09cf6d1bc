import Foundation
import GitServerFixtures
import Giter
@testable import GiterGitCLI
@testable import GiterLibGit2
import GiterLocalGit
import Testing

/// The push fast path of both backends for bare repositories on this
/// machine: taken when receive-pack would do nothing more than check the
/// objects in and move the ref, and never when a hook or a receive policy
/// is there to run; safe against concurrent `git push`es.
@Suite("Direct push to a repository on this machine")
struct DirectPushTests {
    /// How many pushes of `transport` took the direct route and how many went through receive-pack.
    static func routes(_ transport: any Transport) -> (direct: Int, receivePack: Int) {
        if let transport = transport as? LibGit2Transport {
            return (transport.pushRoutes.direct, transport.pushRoutes.receivePack)
        }
        if let transport = transport as? GitCLITransport {
            return (transport.pushRoutes.direct, transport.pushRoutes.receivePack)
        }
        return (0, 0)
    }

    /// The fixtures turn `receive.fsckObjects` on for every repository,
    /// which keeps pushes on receive-pack; these tests turn it off.
    static func allowDirectPushes(_ context: RemoteContext) async throws {
        try await context.repository.git(["config", "--unset-all", "receive.fsckObjects"])
    }

    static func change(_ transport: any Transport, on parent: ObjectID?, _ path: String, _ text: String) async throws
        -> ObjectID
    {
        try await transport.createCommit(
            CommitRequest(
                parent: parent, edits: [.write(path: path, contents: Array(text.utf8))], author: testAuthor,
                message: "write \(path)"))
    }

    @Test(arguments: Backend.allCases, [RemoteKind.localPath, .fileURL])
    func aRemoteWithoutHooksIsWrittenDirectlyAndStaysConsistent(backend: Backend, remote: RemoteKind) async throws {
        try await withRemote(remote, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            let transport = try await context.open(backend, mirror: "producer")
            var tip = try #require(try await transport.fetch())
            for index in 0..<3 {
                let commit = try await Self.change(transport, on: tip, "resources/ns/Kind/item-\(index).yaml", "n: \(index)\n")
                #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
                #expect(try await context.repository.resolve("refs/heads/main") == commit.hex)
                #expect(try await transport.resolve("refs/remotes/origin/main") == commit)
                tip = commit
            }
            #expect(Self.routes(transport) == (3, 0))
            // A stale expectation is a conflict decided before anything is written.
            let stale = try await Self.change(transport, on: tip, "stale.yaml", "x\n")
            let seed = try #require(try await context.repository.resolve("refs/heads/main~3"))
            guard case .conflict(let message) = try await transport.push(stale, expecting: ObjectID(hex: seed)) else {
                Issue.record("a push expecting an old tip must be a conflict")
                return
            }
            #expect(message.contains(tip.hex))
            let written = try await runGit(["cat-file", "-e", stale.hex], in: context.repository.url)
            #expect(!written.succeeded, "nothing of a stale push reaches the remote")
            // Git reads everything back; the object store is consistent.
            let log = try await context.repository.git(["log", "--format=%H", "main"]).stdout
            #expect(log.split(separator: "\n").count == 4)
            let listing = try await context.repository.git(["ls-tree", "-r", "--name-only", "main"]).stdout
            #expect(listing.contains("resources/ns/Kind/item-2.yaml"))
            let fsck = try await context.repository.git(["fsck", "--strict", "--no-dangling"])
            #expect(fsck.succeeded, "\(fsck)")
            // Another mirror of the other backend sees the same history.
            let reader = try await context.open(backend.other, mirror: "reader")
            #expect(try await reader.fetch() == tip)
        }
    }

    /// Remote set-ups in which receive-pack has more to do than move the ref.
    enum Policy: String, CaseIterable, Sendable, CustomStringConvertible {
        case postReceiveHook
        case updateHook
        case hooksPath
        case fsckObjects
        case hideRefs
        var description: String { rawValue }
    }

    @Test(arguments: Backend.allCases, Policy.allCases)
    func hooksAndReceivePolicyKeepReceivePack(backend: Backend, policy: Policy) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            let repository = context.repository
            let marker = context.scratch.appendingPathComponent("hook-ran").path
            let script = "#!/bin/sh\ncat >/dev/null\necho ran > '\(marker)'\nexit 0\n"
            switch policy {
            case .postReceiveHook:
                try repository.installHook(named: "post-receive", script: script)
            case .updateHook:
                try repository.installHook(named: "update", script: script)
            case .hooksPath:
                let hooks = context.scratch.appendingPathComponent("shared-hooks")
                try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
                let file = hooks.appendingPathComponent("pre-receive")
                try Data(script.utf8).write(to: file)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
                try await repository.git(["config", "core.hooksPath", hooks.path])
            case .fsckObjects:
                try await repository.git(["config", "receive.fsckObjects", "true"])
            case .hideRefs:
                try await repository.git(["config", "receive.hideRefs", "refs/heads/secret"])
            }
            let transport = try await context.open(backend, mirror: "producer")
            let tip = try #require(try await transport.fetch())
            let commit = try await Self.change(transport, on: tip, "resources/a.yaml", "a\n")
            #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
            #expect(Self.routes(transport) == (0, 1))
            #expect(try await repository.resolve("refs/heads/main") == commit.hex)
            switch policy {
            case .postReceiveHook, .updateHook, .hooksPath:
                #expect(FileManager.default.fileExists(atPath: marker), "the \(policy) hook must have run")
            case .fsckObjects, .hideRefs:
                break
            }
            // Once the policy is gone, the next push is direct.
            try? FileManager.default.removeItem(at: repository.url.appendingPathComponent("hooks"))
            _ = try await runGit(["config", "--unset-all", "core.hooksPath"], in: repository.url)
            _ = try await runGit(["config", "--unset-all", "receive.fsckObjects"], in: repository.url)
            _ = try await runGit(["config", "--unset-all", "receive.hideRefs"], in: repository.url)
            let next = try await Self.change(transport, on: commit, "resources/b.yaml", "b\n")
            #expect(try await transport.push(next, expecting: commit) == .pushed(next))
            #expect(Self.routes(transport) == (1, 1))
        }
    }

    @Test func denyNonFastForwardsKeepsTheDirectRouteForFastForwards() async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            try await context.repository.git(["config", "receive.denyNonFastForwards", "true"])
            for backend in Backend.allCases {
                let transport = try await context.open(backend, mirror: "producer-\(backend)")
                let tip = try #require(try await transport.fetch())
                let commit = try await Self.change(transport, on: tip, "resources/\(backend).yaml", "x\n")
                #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
                #expect(Self.routes(transport) == (1, 0))
            }
        }
    }

    /// The conformance suite's 16-way race, on a remote that allows direct
    /// pushes (the fixtures' `receive.fsckObjects` keeps the suite's own
    /// race on receive-pack).
    @Test(arguments: Backend.allCases, [RemoteKind.localPath, .fileURL])
    func sixteenWayDirectPushRace(backend: Backend, remote: RemoteKind) async throws {
        try await withRemote(remote, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            let writers = 16
            var transports: [any Transport] = []
            var base: ObjectID?
            for index in 0..<writers {
                let transport = try await context.open(backend, mirror: "writer-\(index)")
                base = try await transport.fetch()
                transports.append(transport)
            }
            let start = try #require(base)
            let conflicts = try await withThrowingTaskGroup(of: Int.self) { group in
                for (index, transport) in transports.enumerated() {
                    group.addTask {
                        var tip: ObjectID? = start
                        var conflicts = 0
                        for _ in 0..<(4 * writers) {
                            let commit = try await Self.change(transport, on: tip, "resources/default/Job/job-\(index).yaml", "n: \(index)\n")
                            switch try await transport.push(commit, expecting: tip) {
                            case .pushed:
                                return conflicts
                            case .conflict, .locked:
                                conflicts += 1
                                tip = try await transport.fetch()
                            case .rejected(let message):
                                throw FixtureError("writer \(index) was rejected: \(message)")
                            }
                        }
                        throw FixtureError("writer \(index) never got its change in")
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(conflicts >= writers - 1)
            #expect(transports.map { Self.routes($0).direct }.reduce(0, +) == writers + conflicts)
            let reader = try await context.open(backend.other, mirror: "reader")
            let tip = try #require(try await reader.fetch())
            let paths = try await reader.treeEntries(at: tip, under: "resources").map(\.path)
            #expect(paths == (0..<writers).map { "resources/default/Job/job-\($0).yaml" }.sorted())
            let count = try await context.repository.git(["rev-list", "--count", "main"]).trimmedStdout
            #expect(count == "\(writers + 1)")
            let fsck = try await context.repository.git(["fsck", "--strict"])
            #expect(fsck.succeeded, "\(fsck)")
        }
    }

    /// Direct pushes of one backend race `git push`es (receive-pack) from
    /// worktrees on the same branch: every change lands exactly once, losers
    /// of either kind see a lost race, and the repository stays consistent.
    @Test(arguments: Backend.allCases)
    func directPushesRaceReceivePackPushes(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            let writers = 6
            var transports: [any Transport] = []
            for index in 0..<writers { transports.append(try await context.open(backend, mirror: "writer-\(index)")) }
            var worktrees: [URL] = []
            for index in 0..<writers {
                let worktree = context.scratch.appendingPathComponent("worktree-\(index)")
                try await runGitChecked(["clone", "-q", context.url, worktree.path])
                worktrees.append(worktree)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, transport) in transports.enumerated() {
                    group.addTask {
                        for _ in 0..<200 {
                            let tip = try await transport.fetch()
                            let commit = try await Self.change(transport, on: tip, "direct/\(index)", "\(index)\n")
                            switch try await transport.push(commit, expecting: tip) {
                            case .pushed: return
                            case .conflict, .locked: continue
                            case .rejected(let message): throw FixtureError("direct writer \(index) rejected: \(message)")
                            }
                        }
                        throw FixtureError("direct writer \(index) never got its change in")
                    }
                }
                for (index, worktree) in worktrees.enumerated() {
                    group.addTask {
                        for _ in 0..<200 {
                            try await runGitChecked(["fetch", "-q", "origin"], in: worktree)
                            try await runGitChecked(["reset", "-q", "--hard", "origin/main"], in: worktree)
                            let folder = worktree.appendingPathComponent("git")
                            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                            try Data("\(index)\n".utf8).write(to: folder.appendingPathComponent("\(index)"))
                            try await runGitChecked(["add", "-A"], in: worktree)
                            try await runGitChecked(["commit", "-q", "-m", "git \(index)"], in: worktree)
                            if try await runGit(["push", "-q", "origin", "HEAD:main"], in: worktree).succeeded { return }
                        }
                        throw FixtureError("git writer \(index) never got its change in")
                    }
                }
                try await group.waitForAll()
            }
            let direct = transports.map { Self.routes($0).direct }.reduce(0, +)
            #expect(direct >= writers, "every successful push of the backend was direct")
            let files = try await context.repository.git(["ls-tree", "-r", "--name-only", "main"]).stdout
                .split(separator: "\n").map(String.init)
            for index in 0..<writers {
                #expect(files.contains("direct/\(index)"))
                #expect(files.contains("git/\(index)"))
            }
            let count = try await context.repository.git(["rev-list", "--count", "main"]).trimmedStdout
            #expect(count == "\(2 * writers + 1)")
            let fsck = try await context.repository.git(["fsck", "--strict"])
            #expect(fsck.succeeded, "\(fsck)")
        }
    }
}
