import Foundation
import Giter
import GiterGitCLI
import GiterLibGit2

/// A repository read in place on this machine — a server's, from its hook —
/// with either backend: its objects, its own settings and its `HEAD`.
protocol ServerRepository: RepositoryReader {
    /// The last value of the setting `name` in the repository's own
    /// configuration; nil when unset.
    func configurationValue(_ name: String) async throws -> String?
    /// The full ref name `HEAD` points at; nil when detached or missing.
    func headReference() async throws -> String?
}

extension LibGit2Repository: ServerRepository {}
extension GitCLIRepository: ServerRepository {}

extension Backend {
    /// Opens the repository at `path` for reading, its objects where
    /// `environment` says (a hook's quarantine).
    func openRepository(at path: String, environment: [String: String]) async throws -> any ServerRepository {
        switch self {
        case .libgit2: try LibGit2Repository(path: path, environment: environment)
        case .git: try await GitCLIRepository(path: path, environment: environment)
        }
    }
}
