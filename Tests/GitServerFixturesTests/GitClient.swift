import Foundation
import GitServerFixtures

/// What a user does with the git CLI against a fixture server: clone, commit
/// in the clone, push. Each client works in its own temporary directory.
struct GitClient {
    let environment: GitEnvironment
    let workspace: TemporaryDirectory

    init(environment: GitEnvironment) throws {
        self.environment = environment
        workspace = try TemporaryDirectory(prefix: "giter-client")
    }

    /// Clones `url` into a new folder and returns the folder.
    func clone(_ url: String, into name: String = "clone") async throws -> URL {
        let destination = workspace.appending(name, isDirectory: true)
        try await runGitChecked(["clone", "--quiet", url, destination.path], environment: environment)
        return destination
    }

    /// Like ``clone(_:into:)`` but returns git's output instead of throwing.
    func tryClone(_ url: String, into name: String = "clone") async throws -> ProcessOutput {
        let destination = workspace.appending(name, isDirectory: true)
        return try await runGit(["clone", "--quiet", url, destination.path], environment: environment)
    }

    /// Writes `content` to `file` in `clone`, commits it and returns the commit id.
    func commit(in clone: URL, file: String, content: String, message: String) async throws -> String {
        try Data(content.utf8).write(to: clone.appendingPathComponent(file))
        try await runGitChecked(["add", "--", file], in: clone, environment: environment)
        try await runGitChecked(["commit", "--quiet", "-m", message], in: clone, environment: environment)
        return try await runGitChecked(["rev-parse", "HEAD"], in: clone, environment: environment).trimmedStdout
    }

    /// Pushes `HEAD` to `main` on `origin`; returns git's output, failed or not.
    func push(from clone: URL) async throws -> ProcessOutput {
        try await runGit(["push", "origin", "HEAD:refs/heads/main"], in: clone, environment: environment)
    }
}
