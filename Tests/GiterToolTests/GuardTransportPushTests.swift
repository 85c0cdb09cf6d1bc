import Foundation
import GitServerFixtures
import Giter
@testable import GiterGitCLI
@testable import GiterLibGit2
import GiterLocalGit
import Testing

/// Giter's own push path into a guarded repository on this machine: the
/// hook forces git-receive-pack (never the direct push), so the guard
/// judges it as it judges `git push`.
@Suite("The guard judges Giter's own pushes")
struct GuardTransportPushTests {
    static func transport(_ backend: ToolBackend, url: String, mirror: String) async throws -> any Transport {
        let configuration = RemoteConfiguration(url: url, mirrorPath: mirror)
        return switch backend {
        case .libgit2: try await LibGit2Transport(configuration: configuration)
        case .git: try await GitCLITransport(configuration: configuration)
        }
    }

    static func receivePackPushes(_ transport: any Transport) -> Int {
        switch transport {
        case let transport as LibGit2Transport: transport.pushRoutes.receivePack
        case let transport as GitCLITransport: transport.pushRoutes.receivePack
        default: -1
        }
    }

    static func commit(_ transport: any Transport, on parent: ObjectID, file: String) async throws -> ObjectID {
        let author = Signature(name: "Producer", email: "producer@example.com", date: Date(timeIntervalSince1970: 1_763_700_000))
        return try await transport.createCommit(
            CommitRequest(
                parent: parent, edits: [.write(path: file, contents: Array("text\n".utf8))], author: author,
                message: "Add \(file)"))
    }

    @Test(arguments: ToolBackend.allCases)
    func aPushGoesThroughTheHook(backend: ToolBackend) async throws {
        try await GuardFixture.with(.localPath, backend: backend) { fixture in
            let transport = try await Self.transport(
                backend, url: fixture.repository.path, mirror: fixture.scratch.appending("mirror").path)
            let main = try #require(try await transport.fetch())
            let first = try await Self.commit(transport, on: main, file: "first.txt")
            #expect(try await transport.push(first, expecting: main) == .pushed(first))
            #expect(Self.receivePackPushes(transport) == 1)

            // The same guard with the quarantine hidden refuses the next push: it did read it.
            try fixture.replaceHook(hiding: "unset GIT_QUARANTINE_PATH GIT_ALTERNATE_OBJECT_DIRECTORIES; GIT_OBJECT_DIRECTORY=\"$PWD/objects\"; export GIT_OBJECT_DIRECTORY")
            let second = try await Self.commit(transport, on: first, file: "second.txt")
            let outcome = try await transport.push(second, expecting: first)
            guard case .rejected(let message) = outcome else {
                Issue.record("expected a rejection, got \(outcome)")
                return
            }
            #expect(message.contains("giter: rejected: "), "\(message)")
            #expect(try await fixture.repository.resolve("refs/heads/main") == first.hex)
        }
    }
}
