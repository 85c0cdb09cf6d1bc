public import ArgumentParser
public import Giter
import GiterGitCLI
import GiterLibGit2

/// The Git backend the example's executables talk to the remote with.
public enum Backend: String, Sendable, Hashable, CaseIterable, ExpressibleByArgument, CustomStringConvertible {
    /// libgit2, in process (`GiterLibGit2`).
    case libgit2
    /// The `git` executable (`GiterGitCLI`).
    case git

    public var description: String { rawValue }

    /// Opens (or creates) the local mirror described by `configuration`.
    public func open(_ configuration: RemoteConfiguration) async throws -> any Transport {
        switch self {
        case .libgit2: try await LibGit2Transport(configuration: configuration)
        case .git: try await GitCLITransport(configuration: configuration)
        }
    }
}
