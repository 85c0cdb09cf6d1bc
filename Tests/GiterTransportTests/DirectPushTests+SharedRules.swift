import Foundation
import GitServerFixtures
import Giter
@testable import GiterGitCLI
@testable import GiterLibGit2
import GiterLocalGit
import Testing

/// The rules of `GiterLocalGit` where the two backends used to disagree,
/// each tested once on both (`Documentation/Backends.md`, "Where the
/// backends agree").
extension DirectPushTests {
    /// An included configuration file sends the push through receive-pack,
    /// whatever it holds (libgit2 used to follow it and push directly).
    @Test(arguments: Backend.allCases, ["include.path", "includeIf.gitdir:/.path"])
    func aConfigurationThatIncludesFilesKeepsReceivePack(backend: Backend, key: String) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            let included = context.scratch.appendingPathComponent("included.config")
            try Data("[giter]\n\tharmless = true\n".utf8).write(to: included)
            try await context.repository.git(["config", key, included.path])
            try Self.settleConfiguration(context)
            let transport = try await context.open(backend, mirror: "producer")
            var tip = try #require(try await transport.fetch())
            for index in 0..<2 {
                let commit = try await Self.change(transport, on: tip, "resources/item-\(index).yaml", "n: \(index)\n")
                #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
                tip = commit
            }
            #expect(Self.routes(transport) == (0, 2))
            #expect(try await context.repository.resolve("refs/heads/main") == tip.hex)
        }
    }

    /// A relative path is a repository on this machine for both backends
    /// (never libgit2's hook-less local transport), reached through
    /// receive-pack: it never takes the direct route.
    @Test(arguments: Backend.allCases)
    func aRelativePathGoesThroughReceivePackAndRunsTheHooks(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            let marker = context.scratch.appendingPathComponent("hook-ran").path
            try context.repository.installHook(
                named: "post-update", script: "#!/bin/sh\necho ran > '\(marker)'\nexit 0\n")
            let current = FileManager.default.currentDirectoryPath.split(separator: "/")
            let relative = String(repeating: "../", count: current.count) + context.repository.path.dropFirst()
            let configuration = RemoteConfiguration(
                url: relative, branch: "main", mirrorPath: context.scratch.appendingPathComponent("mirror").path)
            let transport = try await backend.open(configuration)
            let tip = try #require(try await transport.fetch())
            let commit = try await Self.change(transport, on: tip, "resources/a.yaml", "a\n")
            #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
            #expect(Self.routes(transport) == (0, 1))
            #expect(FileManager.default.fileExists(atPath: marker), "the remote's hook must have run")
            #expect(try await context.repository.resolve("refs/heads/main") == commit.hex)

            // Without the hook it is still receive-pack: only absolute paths are pushed to directly.
            try FileManager.default.removeItem(at: context.repository.url.appendingPathComponent("hooks"))
            let next = try await Self.change(transport, on: commit, "resources/b.yaml", "b\n")
            #expect(try await transport.push(next, expecting: commit) == .pushed(next))
            #expect(Self.routes(transport) == (0, 2))
        }
    }

    /// `file://server/path`: Git drops the host; both backends refuse the URL and say how to write it.
    @Test(arguments: Backend.allCases)
    func aFileURLWithAHostIsRefused(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            let configuration = RemoteConfiguration(
                url: "file://server" + context.repository.path,
                mirrorPath: context.scratch.appendingPathComponent("mirror").path)
            let code = await transportErrorCode { _ = try await backend.open(configuration) }
            #expect(code == .invalidArgument)
        }
    }

    /// A branch with a reflog goes through receive-pack, which appends to it (the direct route writes none).
    @Test(arguments: Backend.allCases)
    func aBranchWithAReflogGoesThroughReceivePack(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            let log = context.repository.path + "/logs/refs/heads/main"
            try FileManager.default.createDirectory(
                atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: log, contents: Data()))
            let transport = try await context.open(backend, mirror: "producer")
            let tip = try #require(try await transport.fetch())
            let commit = try await Self.change(transport, on: tip, "resources/a.yaml", "a\n")
            #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
            #expect(Self.routes(transport) == (0, 1))
            let entries = try String(contentsOfFile: log, encoding: .utf8)
            #expect(entries.contains(commit.hex), "receive-pack logged the update")
        }
    }

    /// A held ref lock without an owner record is `.locked` on both backends
    /// (never a lost race), naming the file and the command that removes
    /// it; the lock is left alone, and the next push after it is released goes through.
    @Test(arguments: Backend.allCases)
    func aHeldRefLockIsLocked(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            let transport = try await context.open(backend, mirror: "producer")
            let tip = try #require(try await transport.fetch())
            let lock = ReferenceLock("refs/heads/main", in: LocalRepository(folder: context.repository.path))
            #expect(FileManager.default.createFile(atPath: lock.path, contents: Data()))
            let commit = try await Self.change(transport, on: tip, "resources/a.yaml", "a\n")
            let outcome = try await transport.push(commit, expecting: tip)
            guard case .locked(let message) = outcome else {
                Issue.record("a held lock must be .locked, got \(outcome)")
                return
            }
            #expect(message.contains(lock.path), "\(message)")
            #expect(message.contains("giter unlock --remote \(context.repository.path) --branch main"), "\(message)")
            #expect(lock.isHeld, "a lock without a record is never removed")
            #expect(Self.routes(transport) == (1, 0))
            #expect(try await context.repository.resolve("refs/heads/main") == tip.hex)

            try FileManager.default.removeItem(atPath: lock.path)
            #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
            #expect(Self.routes(transport) == (2, 0))
        }
    }
}
