import Foundation
import GitServerFixtures
import Giter
import GiterTesting
import Testing

/// What a conformance case runs against: a Git backend over one kind of
/// remote, or `GiterTesting`'s in-memory transport, which host apps' tests
/// use in place of Git and which must therefore behave like it.
enum TransportSubject: Sendable, CustomTestStringConvertible {
    case git(Backend, RemoteKind)
    case inMemory

    /// Every backend over every kind of remote, and the in-memory transport.
    static let all: [TransportSubject] =
        Backend.allCases.flatMap { backend in RemoteKind.allCases.map { .git(backend, $0) } } + [.inMemory]

    /// Every backend over a repository on this machine, and the in-memory
    /// transport: for cases about what a transport does, not how it talks
    /// to a server.
    static let local: [TransportSubject] = Backend.allCases.map { .git($0, .localPath) } + [.inMemory]

    var testDescription: String {
        switch self {
        case .git(let backend, let remote): "\(backend) over \(remote)"
        case .inMemory: "in-memory"
        }
    }
}

/// One remote as a conformance case sees it: transports that write to it
/// and read it back, and what only a test can do to it (make a server
/// refuse pushes, plant a tree Giter must refuse to read).
struct SubjectContext: Sendable {
    /// Git's own view of the remote; `nil` for the in-memory transport.
    let git: RemoteContext?
    private let backend: Backend?
    private let memory: InMemoryRemote?

    init(git: RemoteContext, backend: Backend) {
        self.git = git
        self.backend = backend
        self.memory = nil
    }

    init(memory: InMemoryRemote) {
        self.git = nil
        self.backend = nil
        self.memory = memory
    }

    /// A transport of the subject with a mirror of its own.
    func open(mirror name: String) async throws -> any Transport {
        try await open(backend, mirror: name)
    }

    /// A transport that reads back what the subject wrote: over Git the
    /// other backend, in memory another in-memory transport.
    func openReader(mirror name: String) async throws -> any Transport {
        try await open(backend?.other, mirror: name)
    }

    private func open(_ backend: Backend?, mirror name: String) async throws -> any Transport {
        if let git, let backend { return try await git.open(backend, mirror: name) }
        return try #require(memory).transport()
    }

    /// The remote's `main` branch, as the remote itself says.
    func branchTip() async throws -> ObjectID? {
        if let git { return try await git.repository.resolve("refs/heads/main").flatMap(ObjectID.init(hex:)) }
        return try #require(memory).tip()
    }

    /// The remote ref `name`, as the remote itself says.
    func remoteReference(_ name: RemoteReferenceName) async throws -> ObjectID? {
        if let git { return try await git.repository.resolve(name.rawValue).flatMap(ObjectID.init(hex:)) }
        return try #require(memory).reference(name)
    }

    /// Deletes the remote ref `name` on the remote, as an administrator would.
    func deleteRemoteReference(_ name: RemoteReferenceName) async throws {
        if let git {
            _ = try await git.repository.git(["update-ref", "-d", name.rawValue])
        } else {
            try #require(memory).resetReference(name, to: nil)
        }
    }

    /// Makes the remote refuse the next push with `message`, as a server's
    /// pre-receive hook does.
    func refuseNextPush(saying message: String) throws {
        if let git {
            try git.repository.installPreReceiveHook("#!/bin/sh\necho '\(message)' >&2\nexit 1\n")
        } else {
            try #require(memory).failNextPushes(1, with: .rejected(message))
        }
    }

    /// Moves `main` to a commit whose tree holds `links/evil.yaml` (a
    /// symbolic link), `links/ok.yaml`, `GIT~1/config` and `README`.
    func plantUnsafeTree() async throws {
        let target = "/etc/passwd"
        guard let git else {
            try #require(memory).forgeTree(
                ["links/evil.yaml": Array(target.utf8), "links/ok.yaml": Array(target.utf8),
                 "GIT~1/config": Array(target.utf8), "README": Array(target.utf8)],
                modes: ["links/evil.yaml": .symlink], author: testAuthor, message: "unsafe")
            return
        }
        // Made with plumbing, as no transport writes such a tree.
        let repository = git.repository
        let blob = try await repository.git(["hash-object", "-w", "--stdin"], input: Data(target.utf8)).trimmedStdout
        let inner = try await repository.git(
            ["mktree"], input: Data("120000 blob \(blob)\tevil.yaml\n100644 blob \(blob)\tok.yaml\n".utf8)
        ).trimmedStdout
        let dotGit = try await repository.git(["mktree"], input: Data("100644 blob \(blob)\tconfig\n".utf8)).trimmedStdout
        let root = try await repository.git(
            ["mktree"],
            input: Data("040000 tree \(inner)\tlinks\n040000 tree \(dotGit)\tGIT~1\n100644 blob \(blob)\tREADME\n".utf8)
        ).trimmedStdout
        let parent = try #require(try await repository.resolve("refs/heads/main"))
        let commit = try await repository.git(["commit-tree", root, "-p", parent, "-m", "unsafe"]).trimmedStdout
        _ = try await repository.git(["update-ref", "refs/heads/main", commit])
    }

    /// Over Git, that `git fsck --strict` finds the remote sound.
    func expectSound(sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws {
        guard let git else { return }
        let fsck = try await git.repository.git(["fsck", "--strict"])
        #expect(fsck.status == 0, "\(fsck)", sourceLocation: sourceLocation)
    }
}

/// Makes a remote for `subject` (with one commit on `main` when `seeded`),
/// runs `body`, and stops what it started. A server kind whose programs are
/// missing is skipped as ``withRemote(_:seeded:_:)`` says.
func withSubject(
    _ subject: TransportSubject,
    seeded: Bool = false,
    _ body: (SubjectContext) async throws -> Void
) async throws {
    switch subject {
    case .git(let backend, let kind):
        try await withRemote(kind, seeded: seeded) { context in
            try await body(SubjectContext(git: context, backend: backend))
        }
    case .inMemory:
        let remote = InMemoryRemote()
        if seeded {
            try remote.forgeCommit(
                author: testAuthor, edits: [.write(path: "README", contents: Array("Seeded in memory.\n".utf8))],
                message: "Initial commit")
        }
        try await body(SubjectContext(memory: remote))
    }
}

/// The TransportError `body` throws, or `nil` (with an issue recorded)
/// when it throws none or another error.
func transportError(_ body: () async throws -> Void) async -> TransportError? {
    do {
        try await body()
        Issue.record("expected a TransportError, but nothing was thrown")
        return nil
    } catch let error as TransportError {
        return error
    } catch {
        Issue.record("expected a TransportError, got \(type(of: error)): \(error)")
        return nil
    }
}
