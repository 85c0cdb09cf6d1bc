import Foundation
import GitServerFixtures
import Giter
@testable import GiterGitCLI
@testable import GiterLibGit2
import GiterLocalGit
import Testing

/// A hook or a receive setting added to a remote between two direct pushes
/// applies to the very next push, although the backends keep what they
/// learnt about the remote from one push to the next.
extension DirectPushTests {
    /// Dates the remote's `config` back a minute, out of the window in which
    /// a changed file could keep its times: the libgit2 backend then keeps
    /// the opened remote and its settings across pushes.
    static func settleConfiguration(_ context: RemoteContext) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -60)],
            ofItemAtPath: context.repository.url.appendingPathComponent("config").path)
    }

    /// How many times the libgit2 backend opened the remote for a direct push (nil for the CLI backend).
    static func remoteOpenings(_ transport: any Transport) -> Int? {
        (transport as? LibGit2Transport)?.directPushTargets.opened
    }

    @Test(arguments: Backend.allCases)
    func aHookInstalledBetweenDirectPushesRejectsTheNextPush(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            try Self.settleConfiguration(context)
            let transport = try await context.open(backend, mirror: "producer")
            var tip = try #require(try await transport.fetch())
            for index in 0..<2 {
                let commit = try await Self.change(transport, on: tip, "resources/item-\(index).yaml", "n: \(index)\n")
                #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
                tip = commit
            }
            #expect(Self.routes(transport) == (2, 0))
            if let openings = Self.remoteOpenings(transport) {
                #expect(openings == 1, "the second push reuses the opened remote")
            }

            try context.repository.installPreReceiveHook(
                "#!/bin/sh\ncat >/dev/null\necho 'policy: the exchange is frozen' >&2\nexit 1\n")
            let refused = try await Self.change(transport, on: tip, "resources/refused.yaml", "no\n")
            let outcome = try await transport.push(refused, expecting: tip)
            guard case .rejected(let message) = outcome else {
                Issue.record("the new pre-receive hook must reject the push, got \(outcome)")
                return
            }
            #expect(message.contains("policy: the exchange is frozen"))
            #expect(Self.routes(transport) == (2, 1))
            #expect(try await context.repository.resolve("refs/heads/main") == tip.hex)
            #expect(try await transport.resolve("refs/remotes/origin/main") == tip)
        }
    }

    @Test(arguments: Backend.allCases)
    func fsckObjectsSetBetweenDirectPushesSendsTheNextPushThroughReceivePack(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            try Self.settleConfiguration(context)
            let transport = try await context.open(backend, mirror: "producer")
            var tip = try #require(try await transport.fetch())
            for index in 0..<2 {
                let commit = try await Self.change(transport, on: tip, "resources/item-\(index).yaml", "n: \(index)\n")
                #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
                tip = commit
            }
            #expect(Self.routes(transport) == (2, 0))
            if let openings = Self.remoteOpenings(transport) {
                #expect(openings == 1, "the second push reuses the opened remote")
            }

            try await context.repository.git(["config", "receive.fsckObjects", "true"])
            let checked = try await Self.change(transport, on: tip, "resources/checked.yaml", "yes\n")
            #expect(try await transport.push(checked, expecting: tip) == .pushed(checked))
            #expect(Self.routes(transport) == (2, 1), "receive.fsckObjects needs receive-pack")
            if let openings = Self.remoteOpenings(transport) {
                #expect(openings == 2, "the changed configuration is read again")
            }
            #expect(try await context.repository.resolve("refs/heads/main") == checked.hex)

            // Unset again (the file is replaced, as `git config` does): direct once more.
            try await context.repository.git(["config", "--unset-all", "receive.fsckObjects"])
            let next = try await Self.change(transport, on: checked, "resources/next.yaml", "n\n")
            #expect(try await transport.push(next, expecting: checked) == .pushed(next))
            #expect(Self.routes(transport) == (3, 1))
        }
    }

    /// A configuration edited in place (same file, same size) between two
    /// pushes is read again: its times tell the change (one stamp rule,
    /// `RepositoryStamp`, for both backends).
    @Test(arguments: Backend.allCases)
    func aConfigurationEditedInPlaceIsReadAgain(backend: Backend) async throws {
        try await withRemote(.localPath, seeded: true) { context in
            try await Self.allowDirectPushes(context)
            let config = context.repository.url.appendingPathComponent("config")
            // A placeholder setting of the same length as the one written later.
            try await context.repository.git(["config", "giter.placeholder", "xxxx"])
            try Self.settleConfiguration(context)
            let transport = try await context.open(backend, mirror: "producer")
            var tip = try #require(try await transport.fetch())
            for index in 0..<2 {
                let commit = try await Self.change(transport, on: tip, "resources/item-\(index).yaml", "n: \(index)\n")
                #expect(try await transport.push(commit, expecting: tip) == .pushed(commit))
                tip = commit
            }
            #expect(Self.routes(transport) == (2, 0))
            if let openings = Self.remoteOpenings(transport) {
                #expect(openings == 1)
            }

            let text = try String(contentsOf: config, encoding: .utf8)
            let edited = text.replacingOccurrences(of: "[giter]\n\tplaceholder = xxxx", with: "[receive]\n\thideRefs = xxxxx")
            #expect(edited != text && edited.utf8.count == text.utf8.count)
            let handle = try FileHandle(forWritingTo: config)
            try handle.write(contentsOf: Data(edited.utf8))
            try handle.close()

            let next = try await Self.change(transport, on: tip, "resources/next.yaml", "n\n")
            #expect(try await transport.push(next, expecting: tip) == .pushed(next))
            #expect(Self.routes(transport) == (2, 1), "receive.hideRefs needs receive-pack")
        }
    }
}
