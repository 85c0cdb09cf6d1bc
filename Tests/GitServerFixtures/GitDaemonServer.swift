public import Foundation

/// `git daemon` on 127.0.0.1: anonymous `git://` with push enabled.
///
/// URLs are `git://127.0.0.1:PORT/NAME.git`, relative to ``repositoriesURL``.
/// There is no authentication, so hooks cannot know who pushed.
public final class GitDaemonServer: GitServer {
    public var kind: ServerKind { .gitDaemon }
    public let repositoriesURL: URL
    /// Holds the log file (and the repositories unless a folder was given).
    public let directory: TemporaryDirectory
    private let environment: GitEnvironment
    private let slot = ServerSlot()

    /// Prepares a server; nothing runs until ``start()``.
    ///
    /// - Parameters:
    ///   - repositoriesURL: The folder to serve; by default a `repos` folder in
    ///     the server's own temporary directory.
    ///   - environment: The environment of the daemon and the git commands it runs.
    public init(repositoriesURL: URL? = nil, environment: GitEnvironment = .isolated) throws {
        directory = try TemporaryDirectory(prefix: "giter-git-daemon")
        self.repositoriesURL = try repositoriesURL ?? directory.makeDirectory("repos")
        self.environment = environment
    }

    public var port: Int? {
        slot.port
    }

    /// The server's log so far (empty when it never started).
    public var log: String {
        slot.log
    }

    public func start() async throws {
        if port != nil {
            return
        }
        try kind.requireAvailable()
        let daemon = try ExecutableLocator.requireGitHelper("git-daemon")
        let root = repositoriesURL.path
        let logFile = directory.appending("git-daemon.log")
        let environment = environment.variables
        let started = try await ServerLauncher.start(name: "git daemon") { port in
            try ServerProcess(
                name: "git daemon",
                executable: daemon,
                arguments: [
                    "--reuseaddr", "--listen=127.0.0.1", "--port=\(port)", "--base-path=\(root)",
                    "--export-all", "--enable=receive-pack", "--informative-errors",
                    "--log-destination=stderr",
                ],
                environment: environment,
                logFile: logFile
            )
        }
        await slot.adopt(started)
    }

    public func stop() async {
        await slot.stop()
    }

    public func url(for repositoryName: String) throws -> String {
        "git://127.0.0.1:\(try requirePort())/\(RepositoryName.withSuffix(repositoryName))"
    }

    public func clientEnvironment(_ base: GitEnvironment) throws -> GitEnvironment {
        _ = try requirePort()
        return base
    }
}
