public import Foundation

/// A real Git server on 127.0.0.1, started and stopped by a test.
///
/// Every server serves the bare repositories in ``repositoriesURL``; create
/// them with ``createRepository(named:seeded:)``. Always stop a started server,
/// preferably through a scoped helper such as ``withGitServer(_:isolation:_:)``.
public protocol GitServer: AnyObject, Sendable {
    /// Which kind of server this is.
    var kind: ServerKind { get }
    /// The folder holding the served bare repositories.
    var repositoriesURL: URL { get }
    /// The port the server listens on, or `nil` when it is not running.
    var port: Int? { get }

    /// Starts the server on a free port and returns once the port accepts
    /// connections. Does nothing when the server is already running.
    ///
    /// - Throws: ``FixtureUnavailable`` when a binary is missing,
    ///   ``FixtureError`` when the server does not come up.
    func start() async throws
    /// Stops the server (SIGTERM, then SIGKILL after a grace period) and reaps
    /// it. Safe to call more than once, or on a server that never started.
    func stop() async
    /// The clone URL of the repository `repositoryName` (with or without the
    /// `.git` suffix). Throws ``FixtureError`` when the server is not running.
    func url(for repositoryName: String) throws -> String
    /// `base` plus whatever a git client needs to reach this server: an
    /// `GIT_SSH_COMMAND` with the client key and known_hosts file, or HTTP
    /// credentials. Throws ``FixtureError`` when the server is not running.
    func clientEnvironment(_ base: GitEnvironment) throws -> GitEnvironment
}

extension GitServer {
    /// Creates a bare repository `NAME.git` in ``repositoriesURL``.
    ///
    /// - Parameters:
    ///   - name: The repository's name, with or without `.git`.
    ///   - seeded: Whether `main` gets an initial commit.
    public func createRepository(named name: String, seeded: Bool = true) async throws -> BareRepository {
        let folder = repositoriesURL.appendingPathComponent(RepositoryName.withSuffix(name), isDirectory: true)
        return try await BareRepository.create(at: folder, seeded: seeded)
    }

    /// The client environment derived from the default isolated environment.
    public func clientEnvironment() throws -> GitEnvironment {
        try clientEnvironment(.isolated)
    }

    /// The running port, or ``FixtureError`` when the server is not running.
    func requirePort() throws -> Int {
        guard let port else {
            throw FixtureError("\(kind) server is not running; call start() first")
        }
        return port
    }
}

/// Spelling of repository names in URLs and folders.
enum RepositoryName {
    /// `name` with a `.git` suffix.
    static func withSuffix(_ name: String) -> String {
        name.hasSuffix(".git") ? name : name + ".git"
    }
}
