import ArgumentParser
import Giter
import GiterGitCLI
import GiterLibGit2

/// The Git backend a command talks to the remote with.
enum Backend: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// libgit2, in process (the default).
    case libgit2
    /// The `git` executable found on `PATH`.
    case git

    static var defaultValueDescription: String { Backend.libgit2.rawValue }

    /// Opens the mirror of `configuration` with this backend.
    func open(_ configuration: RemoteConfiguration) async throws -> any Transport {
        switch self {
        case .libgit2: try await LibGit2Transport(configuration: configuration)
        case .git: try await GitCLITransport(configuration: configuration)
        }
    }
}
