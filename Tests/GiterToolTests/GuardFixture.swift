import Foundation
import GitServerFixtures
import Testing

/// Where a guarded repository is pushed to from.
enum GuardRemote: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case localPath
    case gitDaemon
    case smartHTTP
    case ssh

    var testDescription: String { rawValue }

    var serverKind: ServerKind? {
        switch self {
        case .localPath: nil
        case .gitDaemon: .gitDaemon
        case .smartHTTP: .smartHTTP
        case .ssh: .ssh
        }
    }
}

/// A bare repository (seeded `main`) guarded by `giter guard install`, and
/// what a git client needs to push to it.
struct GuardFixture {
    let repository: BareRepository
    let url: String
    let client: GitEnvironment
    let scratch: GitServerFixtures.TemporaryDirectory
    let backend: ToolBackend

    /// The hook file `giter guard install` writes (no core.hooksPath).
    var hook: URL { repository.url.appendingPathComponent("hooks/pre-receive") }

    /// Creates the repository (served as `remote`), installs the guard with
    /// `backend`, runs `body`, and stops what it started. Skips, saying so,
    /// when the server's binaries are missing (fails under CI's strict mode).
    ///
    /// With a `seed`, the repository starts empty and `seed` fills it
    /// before the guard is installed; without one, `main` holds one commit.
    static func with(
        _ remote: GuardRemote, backend: ToolBackend, seed: ((GuardFixture) async throws -> Void)? = nil,
        _ body: (GuardFixture) async throws -> Void
    ) async throws {
        let scratch = try GitServerFixtures.TemporaryDirectory(prefix: "giter-guard")
        defer { scratch.remove() }
        guard let kind = remote.serverKind else {
            let repository = try await BareRepository.create(
                at: scratch.appending("exchange.git", isDirectory: true), seeded: seed == nil)
            let fixture = GuardFixture(
                repository: repository, url: repository.path, client: .isolated, scratch: scratch, backend: backend)
            try await seed?(fixture)
            try await fixture.install()
            try await body(fixture)
            return
        }
        guard try TestRequirements.available(kind.unavailableReason, for: "the \(remote) remote") else { return }
        try await withGitServer(kind) { server in
            let repository = try await server.createRepository(named: "exchange", seeded: seed == nil)
            let fixture = GuardFixture(
                repository: repository, url: try server.url(for: "exchange"), client: try server.clientEnvironment(),
                scratch: scratch, backend: backend)
            try await seed?(fixture)
            try await fixture.install()
            try await body(fixture)
        }
    }

    /// Runs `giter guard install` on the repository and requires success.
    func install() async throws {
        let result = try await giter(["guard", "install", "--repository", repository.path, "--backend", backend.rawValue])
        try #require(result.status == 0, "guard install failed: \(result.stderr)")
    }

    /// Runs `giter` in the scratch folder.
    func giter(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws
        -> GiterProcess.Result
    {
        try await GiterProcess.run(arguments, stdin: stdin, in: scratch.url, environment: environment)
    }

    /// Clones the repository into a new folder of the scratch folder.
    func clone(_ name: String = "clone") async throws -> URL {
        let destination = scratch.appending(name, isDirectory: true)
        try await runGitChecked(["clone", "--quiet", url, destination.path], environment: client)
        return destination
    }

    /// Commits a file (or, with `symlinkTo`, a symbolic link) in `clone`; returns the commit.
    func commit(in clone: URL, file: String, content: String = "", symlinkTo target: String? = nil) async throws
        -> String
    {
        let path = clone.appendingPathComponent(file)
        if let target {
            try FileManager.default.createSymbolicLink(atPath: path.path, withDestinationPath: target)
        } else {
            try Data(content.utf8).write(to: path)
        }
        try await runGitChecked(["add", "--", file], in: clone, environment: client)
        try await runGitChecked(["commit", "--quiet", "-m", "Add \(file)"], in: clone, environment: client)
        return try await runGitChecked(["rev-parse", "HEAD"], in: clone, environment: client).trimmedStdout
    }

    /// Pushes `HEAD` to `main`; git's output, failed or not.
    func push(from clone: URL) async throws -> ProcessOutput {
        try await runGit(["push", "origin", "HEAD:refs/heads/main"], in: clone, environment: client)
    }

    /// Replaces the hook with one that runs the same guard with the
    /// quarantine hidden: `setup` is shell text run before it (unsetting
    /// or changing the variables).
    func replaceHook(hiding setup: String) throws {
        let executable = try GiterProcess.executable().path
        let script = """
            #!/bin/sh
            \(setup)
            exec '\(executable)' guard pre-receive --backend \(backend.rawValue)

            """
        try repository.installPreReceiveHook(script)
    }
}
