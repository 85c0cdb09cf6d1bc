/// Starts `server`, runs `body` with it, and stops the server afterwards,
/// whether `body` returns, throws, or the task is cancelled.
public func withStartedServer<Server: GitServer, Result>(
    _ server: Server,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (Server) async throws -> Result
) async throws -> Result {
    let result: Result
    do {
        try await server.start()
        result = try await body(server)
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
    return result
}

/// Runs `body` with a started ``GitDaemonServer`` and stops it afterwards.
public func withGitDaemon<Result>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (GitDaemonServer) async throws -> Result
) async throws -> Result {
    try await withStartedServer(GitDaemonServer(), body)
}

/// Runs `body` with a started ``SmartHTTPServer`` accepting `user` and
/// `password`, and stops it afterwards.
public func withSmartHTTPServer<Result>(
    user: String = "giter",
    password: String = "giter-secret",
    authentication: SmartHTTPServer.Authentication = .basic,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (SmartHTTPServer) async throws -> Result
) async throws -> Result {
    try await withStartedServer(SmartHTTPServer(user: user, password: password, authentication: authentication), body)
}

/// Runs `body` with a started ``SSHServer`` and stops it afterwards.
public func withSSHServer<Result>(
    isolation: isolated (any Actor)? = #isolation,
    _ body: (SSHServer) async throws -> Result
) async throws -> Result {
    try await withStartedServer(SSHServer(), body)
}

/// Runs `body` with a started server of `kind` (default settings) and stops it
/// afterwards; for tests parameterised over ``ServerKind``.
public func withGitServer<Result>(
    _ kind: ServerKind,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (any GitServer) async throws -> Result
) async throws -> Result {
    switch kind {
    case .gitDaemon:
        try await withStartedServer(GitDaemonServer(), body)
    case .smartHTTP:
        try await withStartedServer(SmartHTTPServer(), body)
    case .ssh:
        try await withStartedServer(SSHServer(), body)
    }
}
